"""The SIP driver of the built-in dialer (docs/telephony.md).

* ``outcomes``: SIP codes and Q.850 causes -> status and failCode (the one table);
* ``settings``: the ``ISALES_SIP_*`` settings, checked without importing sippy;
* ``stack``: sippy's loop and transaction manager, on the process's main thread;
* ``media``: SDP offer/answer and G.711 (PCMU, PCMA) RTP;
* ``driver``: ``SipDriver.place`` and the process runner.

Only ``outcomes`` and ``settings`` may be imported outside the dialer process: importing
sippy binds its event loop to the importing thread.
"""
