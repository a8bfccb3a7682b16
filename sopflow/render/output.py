"""Writing output files: whole or not at all, and a one-line reason when the place is wrong.

A chart or handbook is written to a temporary file next to its target and renamed into place, so
that a failure (a full disk, a folder that is a file, no permission) leaves nothing half-written;
the error names the path and why, in the user's language.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from sopflow.errors import RenderError
from sopflow.i18n import Phrase

_REASONS = {
    errno.ENOTDIR: "file.reason.not_a_folder",
    errno.EEXIST: "file.reason.in_the_way",
    errno.EISDIR: "file.reason.is_a_folder",
    errno.EACCES: "file.reason.no_permission",
    errno.EPERM: "file.reason.no_permission",
    errno.EROFS: "file.reason.read_only",
    errno.ENOENT: "file.reason.missing",
    errno.ENOSPC: "file.reason.disk_full",
    errno.ENAMETOOLONG: "file.reason.name_too_long",
}


def cannot_write(path: Path, error: OSError) -> RenderError:
    code = _REASONS.get(error.errno or 0)
    if error.errno == errno.ENOENT and path.parent.is_dir():  # e.g. /proc: there, but takes nothing
        code = "file.reason.refused"
    reason = Phrase(code) if code else Phrase("file.reason.other", detail=error.strerror or str(error))
    return RenderError("file.cannot_write", path=str(path), reason=reason)


def output_folder(folder: Path) -> Path:
    """`folder`, made if it is not there; RenderError if it cannot be."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise cannot_write(folder, error) from None
    if not folder.is_dir():
        raise cannot_write(folder, OSError(errno.ENOTDIR, "not a folder"))
    return folder


def write_file(path: Path, data: bytes | str) -> Path:
    """Write `data` (text as UTF-8) to `path` whole, or not at all."""
    content = data.encode("utf-8") if isinstance(data, str) else data
    return write_with(path, lambda temporary: temporary.write_bytes(content))


def write_with(path: Path, produce: Callable[[Path], object]) -> Path:
    """Let `produce` write a temporary file beside `path`, then put it in place; the temporary file
    is removed if anything fails."""
    output_folder(path.parent)
    try:
        if path.is_dir():
            raise cannot_write(path, OSError(errno.EISDIR, "is a folder"))
        if path.exists() and not path.is_file():  # /dev/null, a pipe: renaming would replace it
            raise cannot_write(path, OSError(errno.EEXIST, "not a regular file"))
    except OSError as error:  # a name too long to look up, say
        raise cannot_write(path, error) from None
    try:
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as error:
        raise cannot_write(path, error) from None
    os.close(handle)
    temporary = Path(name)
    try:
        produce(temporary)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as error:
        raise cannot_write(path, error) from None
    finally:
        temporary.unlink(missing_ok=True)
    return path


__all__ = ["cannot_write", "output_folder", "write_file", "write_with"]
