"""The service: configuration, the composition root, the command line and the demo county.

This is the top of the house. It may import every other package; nothing imports it back.
"""
