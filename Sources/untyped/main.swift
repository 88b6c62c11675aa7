print("untyped")
