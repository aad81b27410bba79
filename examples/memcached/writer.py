"""The Python service: writes keys to the memcached pool through pylibmc (libmemcached).

pylibmc is configured as a Python service sharing a pool would configure it: weighted
ketama, the libmemcached continuum ringroute's `Ketama` reproduces, with every other
behavior at libmemcached's default. (`{"ketama": True}` alone is libmemcached's older
unweighted continuum, 100 points a server from one hash each: a different ring.)

It reads one JSON command a line on stdin and answers one JSON line on stdout:
  {"cmd": "pool", "servers": [{"host", "port", "weight"}, ...]}   rebuild the client
  {"cmd": "write", "keys": [...], "round": R}    set each key to "<key>@<R>"
  {"cmd": "route", "keys": [...]}                pylibmc's server index for each key
Errors are answered as {"error": "..."} and leave the client as it was.
"""
import json
import sys

import pylibmc

BEHAVIORS = {"ketama_weighted": True}


def client_for(servers):
    if not servers:
        raise ValueError("the pool needs at least one server")
    specs = [f"{s['host']}:{int(s['port'])}:{int(s['weight'])}" for s in servers]
    return pylibmc.Client(specs, behaviors=BEHAVIORS)


def value(key, round_):
    return f"{key}@{round_}".encode()


def main():
    client = None
    print(json.dumps({"ready": True, "pylibmc": pylibmc.__version__,
                      "libmemcached": pylibmc.libmemcached_version}), flush=True)
    for line in sys.stdin:
        try:
            cmd = json.loads(line)
            if cmd["cmd"] == "pool":
                client = client_for(cmd["servers"])
                answer = {"ok": True, "behaviors": {k: client.get_behaviors()[k] for k in ("distribution", "hash")}}
            elif client is None:
                raise ValueError("no pool yet")
            elif cmd["cmd"] == "write":
                # set_multi routes every key through the continuum and returns the keys it
                # could not store.
                failed = client.set_multi({k: value(k, cmd["round"]) for k in cmd["keys"]})
                answer = {"written": len(cmd["keys"]) - len(failed), "failed": list(failed)}
            elif cmd["cmd"] == "route":
                # Client.hash is libmemcached's memcached_generate_hash: the index (in the
                # order given) of the server this client sends the key to.
                answer = {"servers": [client.hash(k) for k in cmd["keys"]]}
            else:
                raise ValueError(f"unknown command {cmd['cmd']!r}")
        except Exception as e:  # an answer, not a crash: the Node side reports it
            answer = {"error": f"{type(e).__name__}: {e}"}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
