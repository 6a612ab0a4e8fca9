#!/usr/bin/env python3
"""ARM instructions to import an S3 client and build an S3 client object (Pi 4 start-up cost proxy).

Backs the choice of botocore in ``device/s3.py``. Run inside the emulated Pi OS
(``/work/shared/tools/arm64``), with the candidates' aarch64 wheels unpacked into SITE:

    pip download --only-binary=:all: --python-version 3.11 --implementation cp \\
        --platform manylinux2014_aarch64 --platform manylinux_2_28_aarch64 --platform any \\
        -d W botocore boto3 minio && for w in W/*.whl; do python3 -m zipfile -e $w SITE/; done
    markrun.sh --cpu cortex-a72 -b SITE:/upl/site -b tools:/t -- /t/s3_client_import_arm.py botocore   # or boto3, minio

Run each once first so that the .pyc files exist; the second count is the one to compare.
"""

from __future__ import annotations

import ctypes
import sys

sys.path.insert(0, "/upl/site")
libc = ctypes.CDLL(None)
libc.syscall.restype = ctypes.c_long


def mark(tag: int) -> None:
    libc.syscall(ctypes.c_long(0x7A7A), ctypes.c_long(tag))


which = sys.argv[1]
mark(3)
mark(4)
mark(10)
if which == "botocore":
    import botocore.session
    from botocore.config import Config

    botocore.session.Session().create_client(
        "s3", endpoint_url="http://127.0.0.1:1", region_name="x", aws_access_key_id="a",
        aws_secret_access_key="b", config=Config(request_checksum_calculation="when_required"))
elif which == "boto3":
    import boto3

    boto3.session.Session().client("s3", endpoint_url="http://127.0.0.1:1", region_name="x",
                                   aws_access_key_id="a", aws_secret_access_key="b")
else:
    import minio

    minio.Minio("127.0.0.1:1", access_key="a", secret_key="b", secure=False)
mark(11)
print(which, "imported", file=sys.stderr)
