"""Memory a request will take, checked against what the machine has before anything is allocated.

``available_bytes()`` is the kernel's estimate of the memory that can be allocated without swapping
(``MemAvailable`` in ``/proc/meminfo``), else the free pages; None where neither is known. A request whose
estimate exceeds it is refused with the estimate in the message, rather than left to end in ``MemoryError``,
``bad_alloc`` or the kernel's OOM killer after minutes.
"""

import os

from rnncli.errors import UsageProblem


def available_bytes():
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def size_text(count):
    """``count`` bytes for a person: ``1.5 GB``, ``300 MB``, ``12 kB``."""
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if count >= size:
            return f"{count / size:.3g} {unit}"
    return f"{count} bytes"


def check_fits(estimate, request):
    """Refuse ``request`` (the options, as a person gave them) when its ``estimate`` in bytes exceeds the
    memory available."""
    available = available_bytes()
    if available is not None and estimate > available:
        raise UsageProblem(f"{request} needs about {size_text(estimate)} of memory, more than the "
                           f"{size_text(available)} available; ask for less")
