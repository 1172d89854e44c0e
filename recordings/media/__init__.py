"""Media work of recordings, apart from rows and rules: the recorder and file repair.

Nothing here touches the database or knows about sessions: it takes aiortc tracks and
writes files, so that it can run wherever the classroom's SFU runs and be tested alone.
"""
