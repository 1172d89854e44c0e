"""The classroom SFU: aiortc peers and forwarded tracks, apart from room state.

See `README.md` in this folder, including the sink hook through which `recordings/`
consumes a room's media.
"""
