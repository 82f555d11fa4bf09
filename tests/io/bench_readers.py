"""Benchmark of the foreign-format load path (a script, not a test: ``python
tests/io/bench_readers.py``). It prints ratios measured in one run, on this machine.

1. ``bayesdx query --network hepar2.bif`` end to end (a fresh process: import, read, infer,
   print) against the same with pyAgrum (a fresh process: ``import pyagrum``, ``loadBN``,
   ``LazyPropagation`` on every node). Best of ``REPEAT`` runs each.
2. MUNIN (1041 nodes) read from BIF and from a Hugin NET that bayesdx writes from it, in
   process.

The bnlearn networks come from pgmpy's package data (``pgmpy/utils/example_models``).
"""

from __future__ import annotations

import gzip
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPEAT = 5


def _models() -> Path:
    import pgmpy

    return Path(pgmpy.__file__).parent / "utils" / "example_models"


def _best(argv: list[str]) -> float:
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    work = Path(tempfile.mkdtemp())
    hepar = work / "hepar2.bif"
    hepar.write_bytes(gzip.open(_models() / "hepar2.bif.gz").read())
    ours = _best([sys.executable, "-m", "bayesdx", "query", "--network", str(hepar), "--json"])
    agrum_code = (
        "import sys, pyagrum as gum; bn = gum.loadBN(sys.argv[1]); "
        "ie = gum.LazyPropagation(bn); ie.makeInference(); "
        "print({bn.variable(i).name(): ie.posterior(i).tolist() for i in bn.nodes()})"
    )
    theirs = _best([sys.executable, "-c", agrum_code, str(hepar)])
    print(f"hepar2.bif query end to end, best of {REPEAT}: bayesdx {ours:.3f} s, "
          f"pyAgrum {theirs:.3f} s, ratio {ours / theirs:.2f}")  # fmt: skip

    from bayesdx import load_network
    from bayesdx.io import write_model

    munin = work / "munin.bif"
    munin.write_bytes(gzip.open(_models() / "munin.bif.gz").read())
    start = time.perf_counter()
    net = load_network(munin)
    bif_s = time.perf_counter() - start
    munin_net = work / "munin.net"
    write_model(net, str(munin_net), "net")
    start = time.perf_counter()
    load_network(munin_net)
    net_s = time.perf_counter() - start
    size = munin_net.stat().st_size / 1e6
    print(f"MUNIN ({len(net.variables)} nodes): BIF read {bif_s:.2f} s; "
          f"NET ({size:.1f} MB, written by bayesdx) read {net_s:.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()
