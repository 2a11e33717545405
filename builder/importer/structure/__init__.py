"""The structure reader: a 部门预算绩效文本 from its paragraphs and table cells, in reading order, into a
data-format dict. The Word-text, .docx and PDF importers all turn their file into one sequence of blocks;
the document's structure (cover, 目录, 第一部分's sections, each table's 说明, title and unit line, the
table's labels) is read here, once, from the printed form rather than from any one department's wording.
"""
