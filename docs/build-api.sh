#!/usr/bin/env bash
# Builds the API reference from the libraries' XML documentation comments with docfx (a local dotnet tool pinned in
# .config/dotnet-tools.json): docs/api/_site/index.html, plus docs/api/reference/ (the intermediate YAML). Both are
# generated, git-ignored, and not needed by the build or the tests.
#   docs/build-api.sh           build the site
#   docs/build-api.sh --serve   build it and serve it on http://localhost:8080
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore
rm -rf docs/api/reference docs/api/_site
dotnet docfx docs/api/docfx.json "$@"
echo "API reference: $(pwd)/docs/api/_site/index.html"
