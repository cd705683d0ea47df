# host_mirror SUITE: the mirror of the host's apt sources, read at run time. Source, don't execute.
# shellcheck shell=bash

# Print the first mirror URI from the host's apt sources whose suite is
# exactly $1 (deb822 .sources files and one-line .list files).
host_mirror() {
    local suite=$1 f uri
    for f in /etc/apt/sources.list.d/*; do
        case "$f" in
        *.sources)
            uri=$(awk -v suite="$suite" '
                function flush() {
                    if (!done && isdeb && enabled && hassuite && uri != "") { print uri; done = 1 }
                    isdeb = 0; enabled = 1; hassuite = 0; uri = ""
                }
                BEGIN { enabled = 1 }
                /^[[:space:]]*#/ { next }
                /^[[:space:]]*$/ { flush(); next }
                {
                    if ($0 ~ /^[^[:space:]]/) {        # "Key: value" line
                        key = tolower($1); sub(/:.*/, "", key)
                        sub(/^[^:]*:[[:space:]]*/, "")
                    }                                 # else: continuation of key
                    n = split($0, w, /[[:space:]]+/)
                    for (i = 1; i <= n; i++) {
                        if (w[i] == "") continue
                        if (key == "types" && w[i] == "deb") isdeb = 1
                        if (key == "enabled" && tolower(w[i]) == "no") enabled = 0
                        if (key == "suites" && w[i] == suite) hassuite = 1
                        if (key == "uris" && uri == "") uri = w[i]
                    }
                }
                END { flush() }' "$f")
            ;;
        *.list)
            # deb [options] URI suite component...
            uri=$(sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" |
                  awk -v suite="$suite" '$1 == "deb" && $3 == suite { print $2; exit }')
            ;;
        *) continue ;;
        esac
        if [ -n "$uri" ]; then
            echo "$uri"
            return 0
        fi
    done
    return 1
}
