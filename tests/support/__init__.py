"""What the tests share, in one place: no test module imports another test module or a
conftest.

- ``api``: paths, bodies and calls of the interfaces; reading the store; a movable clock;
- ``servers``: a real server in a thread of the test process (``start_server``);
- ``processes``: real ``isales`` processes (``isales serve``, commands);
- ``stores``: the PostgreSQL admin URL, empty stores, a store made to fail;
- ``callbacks``: a real HTTP receiver of result callbacks;
- ``dialer``: the built-in dialer on a simulated driver;
- ``xlsx``: hostile workbooks;
- ``console``: the console's server, browser and sign-in.

``tests/helpers.py``, ``tests/live.py`` and ``tests/empty_store.py`` are the old names of
``api``, ``processes`` and ``stores``, kept importable.
"""
