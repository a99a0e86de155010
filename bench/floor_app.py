"""The floor of a signed request: a bare FastAPI + uvicorn app answering the same JSON.

Run as ``python -m uvicorn bench.floor_app:app`` (``bench/common.py`` does it); it
checks nothing and touches no store, so it is the framework's and the server's own cost.
"""

from fastapi import FastAPI
from fastapi.responses import JSONResponse

app = FastAPI()

NOOP_ANSWER = {
    "resultCode": "0200000",
    "resultDesc": "",
    "returnCode": "0200000",
    "returnDesc": "",
    "successCount": 0,
}


@app.post("/rest/isales/v1/openapi/campaigns/{vdnId}/calldata/{campaignId}/delete")
async def noop_delete(vdnId: str, campaignId: str) -> JSONResponse:
    return JSONResponse(NOOP_ANSWER)
