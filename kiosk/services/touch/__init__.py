"""Domain logic of the touch kiosk, without request objects: its catalogue, ratings,
visit records and handwriting recognition."""
