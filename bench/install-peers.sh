#!/usr/bin/env bash
# Optional extras for the benchmark on Debian 12 / Ubuntu: the PyTorch-eager peer column (python3-torch, run with
# the system Python) and the full Fashion-MNIST (dataset-fashion-mnist, 60,000 + 10,000 images). Neither the build
# nor the tests need them; without them the benchmark marks those columns/rows absent.
set -euo pipefail
apt-get -o DPkg::Lock::Timeout=600 update -qq
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q python3-torch dataset-fashion-mnist
