#!/usr/bin/env bash
# Installs the Debian packages whose sources `npm run eval` cuts its holes from (the npm ones come
# with `npm install`). Quick when they are already there. Package, licence (from
# /usr/share/doc/PACKAGE/copyright) and what the eval reads:
#   libpython3-stdlib    PSF-2.0                           Python's standard library (/usr/lib/python3.X)
#   libstdc++-12-dev     GPL-3+ with GCC Runtime Library Exception   C++ headers (/usr/include/c++/12)
#   libxcrypt-source     LGPL-2.1+ (some files BSD-3-Clause, public domain)   C sources (/usr/src/libxcrypt)
#   openjdk-17-source    GPL-2 with Classpath exception    Java sources (lib/src.zip, java.util/io/time)
#   php-symfony-console  Expat                             PHP sources (/usr/share/php/Symfony/Component/Console)
#   bash-completion      GPL-2+                            Bash scripts (/usr/share/bash-completion)
#   unzip                (tool)                            to extract the Java sources
# No Debian package ships C# sources (only single files in samples), so the eval has no C#.
set -euo pipefail
packages=(libpython3-stdlib libstdc++-12-dev libxcrypt-source openjdk-17-source php-symfony-console bash-completion unzip)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f '${db:Status-Status}' "$package" 2>/dev/null | grep -q '^installed$' || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "eval corpus: all packages installed"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "eval corpus: missing ${missing[*]}; run as root (or: sudo apt-get install ${missing[*]})" >&2
    exit 1
fi
echo "eval corpus: installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
