#!/bin/bash
set -exv

# DO NOTHING
