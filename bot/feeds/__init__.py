"""Calendar feeds (ICS): which sessions a feed holds, their versions, the iCalendar text, the
per-chat links and the /calendar reply.

Beside the chats layer: it reads the core and the store, and only it (and the web server above
it) imports icalendar, so the core stays free of file formats.
"""
