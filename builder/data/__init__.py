"""Reading the data format: the model, amounts, values, YAML with locations, loading, slugs, titles, schema."""
