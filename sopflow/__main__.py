"""python -m sopflow"""

from sopflow.launch import main

main()
