"""``python -m xlfees`` runs the command line."""

from xlfees.entry import main

if __name__ == "__main__":
    main()
