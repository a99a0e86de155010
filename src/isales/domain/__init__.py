"""Pure rules: no I/O, no SQL, no HTTP."""
