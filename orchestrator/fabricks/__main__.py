from fabricks.cli import main

main()
