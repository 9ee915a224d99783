#!/bin/bash
cd ${QUAYDIR:-"/"}

python ${QUAYPATH:-"."}/boot.py
