"""One module per schema revision, each `NNNN_what_it_does.py`, listed in `store/revision.py`."""
