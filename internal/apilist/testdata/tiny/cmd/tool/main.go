// Command tool is a command: not listed.
package main

// Exported is in package main: not listed.
func Exported() {}

func main() {}
