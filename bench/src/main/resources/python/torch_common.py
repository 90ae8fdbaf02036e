"""Shared set-up for the PyTorch reference runs: one thread, and which BLAS library is loaded."""
import os

# Must be set before torch (and its BLAS) is loaded.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import torch  # noqa: E402

torch.set_num_threads(1)


def blas_in_use():
    """The BLAS shared libraries mapped into this process, resolved through Debian's alternatives."""
    a = torch.randn(64, 64)
    (a @ a).sum().item()
    libraries = set()
    with open("/proc/self/maps", encoding="utf-8") as maps:
        for line in maps:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            name = os.path.basename(path)
            if "blas" in name or "mkl" in name:
                libraries.add(os.path.realpath(path))
    return sorted(libraries)


def environment():
    return {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "blas": blas_in_use(),
    }
