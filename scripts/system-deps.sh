#!/bin/sh
# 检查并安装构建与测试所需的系统软件包（Debian）。
# Checks the Debian packages the build and the tests need; installs the missing ones when run as root.
#   sh scripts/system-deps.sh build   # 生成网站与 PDF 所需
#   sh scripts/system-deps.sh test    # 另加测试所需（Chromium、poppler、Node.js、LibreOffice、Nginx、Apache）
# LibreOffice（libreoffice-writer-nogui）对用户是可选的：只在导入 .doc / .wps 文件时需要。
set -eu
need=""

has_python_venv() { python3 -c "import ensurepip, venv" >/dev/null 2>&1; }
# ldconfig is in /sbin, which is not on an ordinary user's PATH
has_lib() { PATH="$PATH:/usr/sbin:/sbin" ldconfig -p 2>/dev/null | grep -q "$1"; }
has_cjk_font() { command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh family | grep -q "Noto .*CJK"; }

has_python_venv || need="$need python3-venv"
has_lib libpango-1.0.so.0 || need="$need libpango-1.0-0"
has_lib libpangoft2-1.0.so.0 || need="$need libpangoft2-1.0-0"
has_lib libharfbuzz-subset.so.0 || need="$need libharfbuzz-subset0"
has_cjk_font || need="$need fontconfig fonts-noto-cjk"
if [ "${1:-build}" = "test" ]; then
  command -v chromium >/dev/null 2>&1 || need="$need chromium"
  command -v pdftotext >/dev/null 2>&1 || need="$need poppler-utils"
  command -v npm >/dev/null 2>&1 || need="$need nodejs npm"
  command -v soffice >/dev/null 2>&1 || need="$need libreoffice-writer-nogui"
  # 部署指南的 Nginx 和 Apache 配置由测试实际启动服务器检查（tests/browser/test_deploy_servers.py）；
  # apache2-bin 只有程序和模块，安装时不启动任何服务
  [ -x /usr/sbin/nginx ] || need="$need nginx"
  [ -x /usr/sbin/apache2 ] || need="$need apache2-bin"
fi

[ -z "$need" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "正在安装系统软件包 / installing system packages:$need"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null
  command -v fc-cache >/dev/null 2>&1 && fc-cache -f >/dev/null 2>&1 || true
else
  echo "缺少系统软件包，请以 root 身份安装 / missing system packages, please install as root:" >&2
  echo "  sudo apt-get install$need" >&2
  exit 1
fi
