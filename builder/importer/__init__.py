"""Import published 部门预算绩效文本 (Word, and text exported from Word or PDF) into YAML data files."""
