"""The wire format: each interface's field list and the one mapping of broken rules to codes.

No HTTP here: the API validates request bodies with it, and file import validates rows.
"""
