"""The API of running a training, by concept; mounted by `parcours/api.py`."""
