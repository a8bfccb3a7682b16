"""The county's registry as passive records and rules: places down to every door, people and
households; ID numbers, phones and names checked; which row is which person."""
