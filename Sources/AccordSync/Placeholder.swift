enum _PlaceholderAccordSync {}
