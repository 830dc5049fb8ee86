"""Demand: what citizens looked for and found (or did not), for staff and for the screens.

- ``views``  views of each guide and bundle in the last 30 days (kiosk visits, phone pages)
"""
