import sys

try:
    from rnncli.cli import main
except KeyboardInterrupt:  # Ctrl-C while the command line loads: the exit status of any other stop by SIGINT
    sys.exit(130)

main()
