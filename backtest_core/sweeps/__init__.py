"""Sweeps: grids of parameters (``grid``), launching and cancelling (``launch``), reading them back (``summary``)."""
