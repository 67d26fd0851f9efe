"""The confirmed video call as a calendar file (.ics, RFC 5545), built with ``icalendar``."""

from datetime import datetime, timedelta

from icalendar import Calendar, Event

PRODID = "-//Botox pre-screening//video call//EN"


def call_ics(*, uid: str, starts_at: datetime, minutes: int, video_link: str, clinic: str, stamp: datetime) -> bytes:
    """One event in UTC; its title names the clinic and a video call, nothing about why (calendars are shared)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", starts_at)
    event.add("dtend", starts_at + timedelta(minutes=minutes))
    event.add("summary", f"Free video call with {clinic}")
    event.add("description", f"Join the call at the time above: {video_link}")
    event.add("location", video_link)
    event.add("url", video_link)
    cal.add_component(event)
    return cal.to_ical()
