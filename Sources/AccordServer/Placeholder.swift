enum _PlaceholderAccordServer {}
