"""The build: plan the outputs, run the steps in order into a staging folder, swap it in; reuse by key."""
