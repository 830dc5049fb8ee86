"""Demand: what citizens looked for and found (or did not), for staff and for the screens.

- ``views``    views of each guide and bundle in the last 30 days (kiosk visits, phone pages)
- ``stats``    the staff panel's figures for a period: searches, unmet searches, views, ratings
- ``mapping``  an unmet search becomes a guide alias, through review
- ``report``   the monthly report as xlsx
"""
