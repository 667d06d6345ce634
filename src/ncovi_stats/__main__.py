from ncovi_stats.cli.app import main

main()
