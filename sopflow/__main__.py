"""python -m sopflow"""

from sopflow.cli import main

main()
