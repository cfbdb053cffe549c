#!/usr/bin/env bash
# Deletes the kind cluster created by up.sh.
set -euo pipefail
kind delete cluster --name "${CLUSTER:-cniv6}"
