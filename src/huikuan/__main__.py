from huikuan.cli import main

main()
