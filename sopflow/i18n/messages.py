"""Every message a user reads, in Chinese and English: 'what is wrong — what to do'.

Messages are looked up by code and filled with named values; `{did_you_mean}` is filled from a
`suggestion` value when there is one, and a value that is itself in several languages
(`InLanguages`, e.g. role labels) is given in the message's language. A new language is a new
column here, nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sopflow.i18n import InLanguages

# code: (English, Chinese)
MESSAGES: dict[str, tuple[str, str]] = {
    # reading the file
    "file.unreadable": (
        "cannot read the file ({detail}) — check the path and permissions",
        "无法读取文件（{detail}） — 请检查路径和权限",
    ),
    "file.too_large": (
        "the file is larger than {limit} bytes — a flow file is a few pages of text; "
        "check that this is the right file",
        "文件超过 {limit} 字节 — 流程文件通常只有几页文字，请确认文件是否正确",
    ),
    "file.not_utf8": (
        "the file is not UTF-8 text — save it as UTF-8 (in most editors: Save As, encoding UTF-8)",
        "文件不是 UTF-8 编码 — 请另存为 UTF-8 编码",
    ),
    "yaml.syntax": (
        "not valid YAML: {detail} — check indentation, colons and quotes on this line and the one before",
        "YAML 格式错误：{detail} — 请检查本行及上一行的缩进、冒号和引号",
    ),
    "yaml.full_width": (
        "full-width '{char}' — use '{ascii}' (half-width)",
        "全角的 '{char}' — 请改用半角的 '{ascii}'",
    ),
    "yaml.full_width_comma": (
        "full-width '，' between the entries of {{...}} — use ',' (half-width), and put a text that "
        "has a comma in quotes",
        "{{...}} 中各项之间用了全角的 '，' — 请改用半角的 ','；含逗号的文字请加引号",
    ),
    "yaml.odd_indent": (
        "{char} in the indentation — indent with ordinary (half-width) spaces",
        "缩进中有{char} — 请用普通（半角）空格缩进",
    ),
    "yaml.reason.full_width_space": ("a full-width space '\u3000'", "全角空格 '\u3000'"),
    "yaml.reason.no_break_space": ("a no-break space", "不换行空格"),
    "yaml.too_deep": (
        "the file is nested too deeply — a flow needs only a few levels of indentation",
        "文件嵌套层数过多 — 流程文件只需要几层缩进",
    ),
    "yaml.empty": (
        "the file is empty — start from docs/flow-format.md or a built-in flow",
        "文件为空 — 请参照 docs/flow-format.md 或内置流程编写",
    ),
    "yaml.many_documents": (
        "a second YAML document (after ---) starts here — put one flow in each file",
        "此处开始了第二个 YAML 文档（--- 之后） — 每个文件只写一个流程",
    ),
    "yaml.too_large": (
        "the file expands to too many values (anchors and aliases?) — write the "
        "values out instead of repeating aliases",
        "文件展开后数据过多（锚点/别名？） — 请直接写出数值",
    ),
    "yaml.recursive_alias": (
        "an alias refers to itself — remove the recursive alias",
        "别名引用了自身 — 请删除循环引用",
    ),
    "yaml.complex_key": (
        "a key must be a plain name — write it as a simple word before the colon",
        "键必须是简单名称 — 请在冒号前写一个简单的词",
    ),
    "yaml.duplicate_key": (
        "'{key}' appears twice in the same mapping — keep one, or rename the other",
        "'{key}' 在同一层出现了两次 — 请保留一个或改名",
    ),
    "yaml.bad_value": (
        "this value cannot be read ({detail}) — write plain text, numbers, "
        "true/false, lists and mappings only",
        "无法读取该值（{detail}） — 只能使用文字、数字、true/false、列表和映射",
    ),
    "yaml.bad_tag": (
        "the YAML tag {tag} is not allowed — remove it; flow files hold plain data only",
        "不允许使用 YAML 标签 {tag} — 请删除；流程文件只能包含普通数据",
    ),
    # shape (JSON Schema)
    "schema.text": (
        "expected a text, or a mapping of language to text such as {{zh: 登记, en: Register}}"
        ' — write it in one of these two forms (put a text with a comma in quotes: en: "Check, then register")',
        "这里应是文字，或语言到文字的映射，如 {{zh: 登记, en: Register}} — 请用这两种写法之一"
        '（逗号要用半角 ","；含逗号的文字请加引号，如 zh: "核实，登记"）',
    ),
    "schema.missing_key": (
        "'{where}' has no '{key}' — add '{key}:'",
        "'{where}' 缺少 '{key}' — 请添加 '{key}:'",
    ),
    "schema.type": (
        "expected {expected_type}, found {actual_type} — change the value",
        "这里应是{expected_type},实际是{actual_type} — 请修改",
    ),
    "schema.type_text": (
        'expected text, found {actual_type} — put it in quotes, e.g. "2020.02"',
        '这里应是文字,实际是{actual_type} — 请加引号,如 "2020.02"',
    ),
    "schema.type_list": (
        "expected a list, found {actual_type} — write a list, e.g. [grid_worker], or one '- item' per line",
        "这里应是列表，实际是{actual_type} — 请写成列表，如 [grid_worker]，或每行一个 '- 项'",
    ),
    "schema.enum": (
        "'{value}' is not one of: {options} — {did_you_mean}use one of these",
        "'{value}' 不是可选值（{options}） — {did_you_mean}请从中选一个",
    ),
    "schema.const": (
        "expected {expected}, found '{value}' — write {expected}",
        "这里应是 {expected},实际是 '{value}' — 请写 {expected}",
    ),
    "schema.bad_id": (
        "'{value}' is not a valid name — use lower-case letters, digits and _, "
        "starting with a letter (e.g. grid_worker)",
        "'{value}' 不是有效名称 — 只能用小写字母、数字和下划线，并以字母开头（如 grid_worker）",
    ),
    "schema.bad_source": (
        "'{value}' is not a source tag — use A (article), K (national guidance), "
        "I (inference/default) or S<number>, separated by commas",
        "'{value}' 不是有效的来源标记 — 请用 A（原文）、K（国家指南）、I（推断/默认）或 S编号，用逗号分隔",
    ),
    "schema.bad_language": (
        "'{value}' is not a language code — use a code such as zh, en or mn",
        "'{value}' 不是语言代码 — 请使用 zh、en、mn 等代码",
    ),
    "schema.empty": ("this is empty — add at least one entry", "此处为空 — 请至少添加一项"),
    "schema.empty_text": (
        "this text is empty — write something here, or remove the key",
        "此处文字为空 — 请填写内容，或删除该键",
    ),
    "schema.repeated": ("a name is listed twice — remove the repeat", "列表中有重复名称 — 请删除重复项"),
    "schema.other": ("{detail} — see docs/flow-format.md", "{detail} — 请参阅 docs/flow-format.md"),
    "schema.unknown_key": (
        "unknown key '{key}' in '{where}' — {did_you_mean}allowed here: {allowed}",
        "'{where}' 中有未知的键 '{key}' — {did_you_mean}此处可用：{allowed}",
    ),
    "schema.key_for_other_kind": (
        "'{key}' does not belong in a step of kind '{kind}' — remove it, or change the step's kind",
        "'{key}' 不适用于类型为 '{kind}' 的步骤 — 请删除，或修改步骤类型",
    ),
    "end.way_out": (
        "an end step cannot have '{key}': a case that ends goes nowhere — remove '{key}', "
        "or make this step a task",
        "结束步骤不能有 '{key}'：案件结束后不再流转 — 请删除 '{key}',或改为任务步骤",
    ),
    # texts
    "text.unknown_language": (
        "language '{lang}' is not in languages ({languages}) — {did_you_mean}"
        "add it to 'languages:' or fix the code",
        "语言 '{lang}' 不在 languages({languages})中 — {did_you_mean}请加入 'languages:' 或改正代码",
    ),
    "text.primary_missing": (
        "this text has no '{lang}' version, the flow's primary language — add '{lang}: ...'",
        "此文字缺少主语言 '{lang}' — 请添加 '{lang}: ...'",
    ),
    "text.missing_translation": (
        "no '{lang}' text here; the primary language will be shown — add '{lang}: ...'",
        "此处缺少 '{lang}' 文字，将显示主语言 — 请添加 '{lang}: ...'",
    ),
    "text.long_label": (
        "the chart label has {length} characters — keep it to {limit} or fewer so "
        "the chart stays readable; put details in 'instructions'",
        "图上标签有 {length} 个字 — 请控制在 {limit} 字以内，详细内容写在 instructions 中",
    ),
    # names
    "name.param_and_field": (
        "'{name}' is both a param and a field — rename one of them",
        "'{name}' 既是参数又是字段 — 请改名其中一个",
    ),
    "name.reserved": (
        "'{name}' is a built-in guard function — choose another name",
        "'{name}' 是条件表达式的内置函数 — 请换一个名称",
    ),
    "field.no_choices": (
        "field '{field}' is a choice but has no 'choices' — list the choices",
        "字段 '{field}' 是选择类型但没有 choices — 请列出选项",
    ),
    "field.choices_not_choice": (
        "field '{field}' has choices but is not of type choice — set 'type: choice' or remove 'choices'",
        "字段 '{field}' 有 choices 但类型不是 choice — 请设为 'type: choice' 或删除 choices",
    ),
    "field.bound_not_number": (
        "'{key}' only applies to integer and number fields — remove it or change the type",
        "'{key}' 只适用于整数和数字字段 — 请删除或修改类型",
    ),
    "field.min_above_max": (
        "min {low} is above max {high} — swap or correct them",
        "最小值 {low} 大于最大值 {high} — 请改正",
    ),
    # references
    "ref.role": (
        "no role named '{name}' — {did_you_mean}declare it under 'roles:' or fix the name",
        "没有名为 '{name}' 的角色 — {did_you_mean}请在 roles 中声明或改正名称",
    ),
    "ref.field": (
        "no field named '{name}' — {did_you_mean}declare it under 'fields:' or fix the name",
        "没有名为 '{name}' 的字段 — {did_you_mean}请在 fields 中声明或改正名称",
    ),
    "ref.step": (
        "no step named '{name}' — {did_you_mean}add the step or fix the name",
        "没有名为 '{name}' 的步骤 — {did_you_mean}请添加该步骤或改正名称",
    ),
    "ref.group": (
        "no group named '{name}' — {did_you_mean}declare it under 'groups:' or fix the name",
        "没有名为 '{name}' 的分组 — {did_you_mean}请在 groups 中声明或改正名称",
    ),
    "duration.bad": (
        "'{value}' is not a duration — {did_you_mean}write e.g. 30m, 2h, 14d or 1d12h, "
        "or the name of a duration param",
        "'{value}' 不是时长 — {did_you_mean}请写成 30m、2h、14d、1d12h 等，或时长参数的名称",
    ),
    "duration.zero": (
        "'{value}' is no time at all — a duration must be longer than zero, e.g. 30m",
        "'{value}' 时长为零 — 时长必须大于零，如 30m",
    ),
    "duration.param_not_duration": (
        "param '{name}' is not a duration — give it a value such as 14d",
        "参数 '{name}' 不是时长 — 请设为 14d 这样的值",
    ),
    # guards
    "guard.too_long": (
        "the guard is longer than {limit} characters — split the rule into a decision "
        "step with several branches",
        "条件超过 {limit} 个字符 — 请拆成有多个分支的判断步骤",
    ),
    "guard.empty": (
        "the guard is empty — write a condition such as `temperature >= 37.3`, or remove 'when'",
        "条件为空 — 请写条件（如 `temperature >= 37.3`）或删除 when",
    ),
    "guard.syntax": (
        "the guard `{guard}` is not a valid expression ({detail}) — see 'Guards' in docs/flow-format.md",
        "条件 `{guard}` 不是有效表达式（{detail}） — 请参阅 docs/flow-format.md 的 Guards 一节",
    ),
    "guard.unknown_name": (
        "the guard `{guard}` uses '{name}', which is not a field or param — "
        "{did_you_mean}declare it under 'fields:' or fix the name",
        "条件 `{guard}` 使用了 '{name}',它不是字段或参数 — {did_you_mean}请在 fields 中声明或改正名称",
    ),
    "guard.unsafe": (
        "the guard `{guard}` uses {what}, which guards may not use — compare fields and values only",
        "条件 `{guard}` 使用了不允许的 {what} — 条件只能比较字段和数值",
    ),
    "guard.unsafe_call": (
        "the guard `{guard}` calls something other than {allowed} — compare fields and values only",
        "条件 `{guard}` 调用了 {allowed} 以外的函数 — 条件只能比较字段和数值",
    ),
    "guard.bad_call": (
        "{function}() takes exactly one field in the guard `{guard}` — write e.g. {function}(arrival_date)",
        "条件 `{guard}` 中 {function}() 只能有一个字段参数 — 如 {function}(arrival_date)",
    ),
    "guard.filter": (
        "the guard `{guard}` uses the filter '{name}', which is not allowed — use one of: {allowed}",
        "条件 `{guard}` 使用了不允许的过滤器 '{name}' — 可用：{allowed}",
    ),
    "guard.too_large": (
        "the guard `{guard}` builds a value of more than {limit} characters or items ({part}) — "
        "compare fields and values only",
        "条件 `{guard}` 生成了超过 {limit} 个字符或元素的值（{part}） — 条件只能比较字段和数值",
    ),
    "guard.zero_division": (
        "the guard `{guard}` divides by zero ({part}) — fix the rule",
        "条件 `{guard}` 除以零（{part}） — 请改正条件",
    ),
    "guard.always_fails": (
        "the guard `{guard}` fails on every case: {part} cannot be worked out (e.g. text compared "
        "with a number) — fix the rule",
        "条件 `{guard}` 对任何案件都无法判断：{part} 无法计算（如文字与数字比较） — 请改正条件",
    ),
    "guard.not_a_code": (
        "'{value}' is not a code of {field} ({codes}) — use the code, e.g. {field} == '{example}'",
        "'{value}' 不是 {field} 的代码（{codes}） — 请使用代码，如 {field} == '{example}'",
    ),
    "guard.choice_not_code": (
        "{field} holds one of the codes {codes}, not {value} — use a code in quotes, "
        "e.g. {field} == '{example}'",
        "{field} 的值是代码（{codes}）之一，不会是 {value} — 请使用加引号的代码，如 {field} == '{example}'",
    ),
    "guard.text_vs_other": (
        "{field} holds text, so comparing it with {value} never works — put the value in quotes, "
        "e.g. {field} == '{value}'",
        "{field} 是文字字段，与 {value} 比较不会成立 — 请给值加引号，如 {field} == '{value}'",
    ),
    "guard.number_vs_text": (
        "{field} holds a number, so comparing it with the text {value} never works — write the "
        "number without quotes, e.g. {field} > 37.3",
        "{field} 是数字字段，与文字 {value} 比较不会成立 — 数字不加引号，如 {field} > 37.3",
    ),
    "guard.boolean_vs_text": (
        "{field} is a yes/no field (true or false), so comparing it with the text {value} never "
        "works — write `{field}` for yes or `not {field}` for no",
        "{field} 是是/否字段（true 或 false），与文字 {value} 比较不会成立 — "
        "“是”写 `{field}`，“否”写 `not {field}`",
    ),
    "guard.date_vs_literal": (
        "{field} holds a date, so comparing it with {value} never works — count days with "
        "days_since({field}), e.g. days_since({field}) <= 14",
        "{field} 是日期字段，与 {value} 比较不会成立 — 请用 days_since({field}) 计算天数，"
        "如 days_since({field}) <= 14",
    ),
    "guard.test": (
        "the guard `{guard}` uses the test '{name}', which is not allowed — use one of: {allowed}",
        "条件 `{guard}` 使用了不允许的判断 '{name}' — 可用：{allowed}",
    ),
    # steps
    "decision.default_with_guard": (
        "the default branch has a 'when' — the default is taken when no "
        "other branch holds; remove 'when' or 'default'",
        "默认分支不能有 when:其他分支都不成立时才走默认分支 — 请删除 when 或 default",
    ),
    "decision.branch_without_guard": (
        "branch '{branch}' has no 'when' and is not the default — add 'when: ...' or 'default: true'",
        "分支 '{branch}' 既没有 when 也不是默认分支 — 请添加 when 或 default: true",
    ),
    "decision.defaults": (
        "a decision needs exactly one branch with 'default: true', this one has "
        "{count} — mark exactly one branch as the default",
        "判断步骤必须恰好有一个 default: true 的分支，这里有 {count} 个 — 请只标记一个默认分支",
    ),
    "timer.from_not_date": (
        "a timer can only count from a date or datetime field, and '{field}' is a field of type "
        "{type} — use a date field, or leave 'from' out to count from entering the step",
        "计时器只能从日期字段起算，而 '{field}' 是 {type} 类型的字段 — 请改用日期字段，或删除 from（从进入该步骤起算）",
    ),
    "subflow.next_with_wait": (
        "'next' is only for 'wait: false' — with wait, list where each of the "
        "child's outcomes leads under 'outcomes'",
        "只有 'wait: false' 时才能用 next — 等待子流程时请在 outcomes 中写明各结果的去向",
    ),
    "subflow.no_outcomes": (
        "this step waits for '{flow}' but has no 'outcomes' — add 'outcomes:' or "
        "set 'wait: false' with 'next:'",
        "此步骤等待 '{flow}' 但没有 outcomes — 请添加 outcomes,或设 'wait: false' 并写 next",
    ),
    "subflow.no_next": (
        "with 'wait: false' the case goes on at once — add 'next:' with the following step",
        "'wait: false' 时案件立即继续 — 请用 next 指定下一步",
    ),
    "subflow.outcomes_without_wait": (
        "'outcomes' are only used with 'wait: true' — remove them or set 'wait: true'",
        "只有 'wait: true' 时才使用 outcomes — 请删除或设 'wait: true'",
    ),
    "step.duplicate_name": (
        "the name '{name}' is already used for another way out of this step — give it its own name",
        "名称 '{name}' 已被此步骤的另一个出口使用 — 请另起名称",
    ),
    # graph
    "graph.unreachable": (
        "step '{step}' cannot be reached from the start step '{start}' — add an "
        "action that leads to it, or remove it",
        "从开始步骤 '{start}' 无法到达步骤 '{step}' — 请添加通往它的动作，或删除该步骤",
    ),
    "graph.no_way_out": (
        "step '{step}' has no way out — add an action, or make it an end step",
        "步骤 '{step}' 没有出口 — 请添加动作，或改为结束步骤",
    ),
    "wait.no_exit": (
        "wait step '{step}' has no timer and no action out — add a timer or an action",
        "等待步骤 '{step}' 既无计时器也无动作出口 — 请添加计时器或动作",
    ),
    "graph.no_end": (
        "no end step can be reached from step '{step}' — add a way from it towards an end",
        "从步骤 '{step}' 无法到达任何结束步骤 — 请添加通往结束步骤的出口",
    ),
    "action.overlap": (
        "action '{action}' is offered twice in this step (see action {other}) and both guards hold "
        "when {example} — make the 'when' guards exclude each other",
        "动作 '{action}' 在此步骤出现两次（另见第 {other} 个动作），当 {example} 时两个条件同时成立 — 请让两个 when 条件互斥",
    ),
    "action.overlap_unguarded": (
        "action '{action}' is offered twice in this step (see action {other}) and at least one has "
        "no 'when' guard, so both can be taken — give both guards that exclude each other, or rename one",
        "动作 '{action}' 在此步骤出现两次（另见第 {other} 个动作），且至少一个没有 when 条件，两者都可能被执行 — 请为两者加上互斥的条件，或改名其中一个",
    ),
    # across flows
    "subflow.unknown_flow": (
        "no flow with id '{flow}' — {did_you_mean}known flows: {known}",
        "没有 id 为 '{flow}' 的流程 — {did_you_mean}已有流程：{known}",
    ),
    "subflow.child_broken": (
        "flow '{flow}' ({file}) has errors — run `sopflow flows validate {file}` and fix it",
        "流程 '{flow}'({file})有错误 — 请运行 `sopflow flows validate {file}` 并修正",
    ),
    "subflow.child_duplicate": (
        "flow id '{flow}' is claimed by several files ({files}) — give one of them another id, "
        "or move it out of the folder",
        "流程 id '{flow}' 被多个文件使用（{files}） — 请给其中一个改 id，或把它移出该文件夹",
    ),
    "subflow.unknown_outcome": (
        "flow '{flow}' has no outcome '{outcome}' — {did_you_mean}its outcomes: {outcomes}",
        "流程 '{flow}' 没有结果 '{outcome}' — {did_you_mean}它的结果有：{outcomes}",
    ),
    "subflow.unhandled_outcome": (
        "flow '{flow}' can end with '{outcome}', which is not handled here — "
        "add '{outcome}: <step>' under 'outcomes'",
        "流程 '{flow}' 可能以 '{outcome}' 结束，此处未处理 — 请在 outcomes 中添加 '{outcome}: <步骤>'",
    ),
    "subflow.required_not_copied": (
        "flow '{flow}' needs '{field}' when it starts, but this step does not copy it — add it to 'copy:'",
        "流程 '{flow}' 启动时必须有 '{field}'，但此步骤没有复制该字段 — 请加入 copy",
    ),
    "subflow.copy_missing": (
        "flow '{flow}' has no field '{field}' to copy into — declare it there or remove it from 'copy'",
        "流程 '{flow}' 没有字段 '{field}' 可接收 — 请在该流程中声明，或从 copy 中删除",
    ),
    "subflow.copy_type": (
        "field '{field}' is {mine} here but {theirs} in flow '{flow}' — make the types the same",
        "字段 '{field}' 此处为 {mine},在流程 '{flow}' 中为 {theirs} — 请统一类型",
    ),
    "signal.unknown_action": (
        "flow '{flow}' has no action '{action}' — {did_you_mean}name an action of that flow",
        "流程 '{flow}' 没有动作 '{action}' — {did_you_mean}请使用该流程中的动作",
    ),
    # cases
    "case.unknown": (
        "no case '{case}' — check the id (sopflow case list shows the cases)",
        "没有案件 '{case}' — 请核对编号（sopflow case list 可列出案件）",
    ),
    "case.exists": (
        "case '{case}' already exists — choose another id, or leave --id out to get one",
        "案件 '{case}' 已存在 — 请换一个编号，或不写 --id 自动生成",
    ),
    "case.ended": (
        "case '{case}' has ended (outcome: {outcome}) — nothing more can be done with it",
        "案件 '{case}' 已结束（结果：{outcome}） — 不能再办理",
    ),
    "case.changed": (
        "case '{case}' was changed by someone else meanwhile (now at event {seq}) — look at it "
        "again (sopflow case show {case}) and repeat if still needed",
        "案件 '{case}' 刚被他人更新（现为第 {seq} 条记录） — 请重新查看（sopflow case show {case}）后再办理",
    ),
    "case.no_such_action": (
        "case '{case}' is at step '{step}', where '{action}' cannot be done — {did_you_mean}"
        "available now: {available}",
        "案件 '{case}' 当前在步骤 '{step}',不能执行 '{action}' — {did_you_mean}现在可以：{available}",
    ),
    "case.guard_false": (
        "'{action}' is not possible for case '{case}' now: {guard} does not hold — available "
        "now: {available}",
        "案件 '{case}' 现在不能执行 '{action}'：条件 {guard} 不成立 — 现在可以：{available}",
    ),
    "case.role_not_allowed": (
        "role '{role}' may not do '{action}' on case '{case}' — {did_you_mean}it is for: {roles} "
        "(--role on the command line)",
        "角色 '{role}' 不能对案件 '{case}' 执行 '{action}' — {did_you_mean}可执行的角色：{roles}（命令行用 --role 指定）",
    ),
    "case.no_role": (
        "'{action}' on case '{case}' needs to know your role — it is for: {roles} "
        "(--role on the command line, or SOPFLOW_ROLE)",
        "案件 '{case}' 执行 '{action}' 需要说明您的角色 — 可执行的角色：{roles}（命令行用 --role 或 SOPFLOW_ROLE 指定）",
    ),
    "case.no_such_seq": (
        "case '{case}' is at event {seq}; it never had event {expected} — look at it again "
        "(sopflow case show {case}) and give the number it shows",
        "案件 '{case}' 现为第 {seq} 条记录，没有第 {expected} 条 — 请重新查看（sopflow case show {case}）后填写显示的编号",
    ),
    "case.missing_data": (
        "'{action}' on case '{case}' needs {fields} — supply them with --set, e.g. --set {example}=...",
        "案件 '{case}' 执行 '{action}' 需要填写 {fields} — 请用 --set 提供，如 --set {example}=...",
    ),
    "case.missing_required": (
        "a new '{flow}' case needs {fields} — supply them with --set name=value",
        "新建 '{flow}' 案件必须填写 {fields} — 请用 --set 名称=值 提供",
    ),
    "case.unknown_field": (
        "flow '{flow}' has no field '{field}' (case '{case}') — {did_you_mean}"
        "sopflow flows show {flow} lists the fields",
        "流程 '{flow}' 没有字段 '{field}'（案件 '{case}'） — {did_you_mean}可用 sopflow flows show {flow} 查看字段",
    ),
    "case.field_not_taken": (
        "'{action}' does not take '{field}' (case '{case}') — it takes: {fields}",
        "'{action}' 不接收字段 '{field}'（案件 '{case}'） — 可填写：{fields}",
    ),
    "case.unknown_role": (
        "no role '{role}' in this flow (case '{case}') — {did_you_mean}roles: {roles}",
        "本流程没有角色 '{role}'（案件 '{case}'） — {did_you_mean}角色有：{roles}",
    ),
    "case.guard_error": (
        "case '{case}': the rule `{guard}` at step '{step}' cannot be decided: {detail}",
        "案件 '{case}'：步骤 '{step}' 的条件 `{guard}` 无法判断：{detail}",
    ),
    "case.bad_id": (
        "'{value}' cannot be a case id — use up to {limit} letters, digits and signs such as - . _, "
        "without spaces and not starting with '-' (e.g. QG-0001)",
        "'{value}' 不能作案件编号 — 请用不超过 {limit} 个字母、数字和 - . _ 等符号，不含空格，不以 - 开头（如 QG-0001）",
    ),
    "case.child_like_id": (
        "'{value}' ends like the id of a child case (.1, .2 are given to the cases a case starts) "
        "— choose an id without '.<number>' at the end, e.g. with '-' instead",
        "'{value}' 的结尾与子案件编号相同（.1、.2 留给案件自动启动的子案件） — 请换一个结尾不是“.数字”的编号，如用 - 代替 .",
    ),
    "hook.unknown_step": (
        "no step '{step}' in flow '{flow}' to hook on — {did_you_mean}check the step id "
        "(sopflow flows show lists them)",
        "流程 '{flow}' 中没有步骤 '{step}' — {did_you_mean}请核对步骤 id（sopflow flows show 可列出）",
    ),
    "case.bad_argument": (
        "{name} must be {expected}, not {value} — fix the call",
        "{name} 必须是 {expected}，不能是 {value} — 请修改调用代码",
    ),
    "case.system_actor": (
        "'system' is the name of what sopflow does by itself (case '{case}') — give your own name",
        "'system' 表示系统自动办理（案件 '{case}'） — 请填写您自己的姓名",
    ),
    "case.bad_status": (
        "'{status}' is not a case status — use one of: {statuses}",
        "'{status}' 不是案件状态 — 请使用：{statuses}",
    ),
    "case.no_actor": (
        "who did it is not given (case '{case}') — give your name (--actor, or SOPFLOW_ACTOR)",
        "未写办理人（案件 '{case}'） — 请填写您的姓名（--actor 或 SOPFLOW_ACTOR）",
    ),
    "case.too_long": (
        "{what} is longer than {limit} characters (case '{case}') — shorten it",
        "{what}超过 {limit} 个字符（案件 '{case}'） — 请缩短",
    ),
    "case.control_char": (
        "{what} contains a control character (case '{case}') — retype it",
        "{what}含有控制字符（案件 '{case}'） — 请重新输入",
    ),
    "case.bad_time": (
        "{at} is not a time anything was done (case '{case}') — check the year",
        "{at} 不是有效的办理时间（案件 '{case}'） — 请核对年份",
    ),
    "case.in_future": (
        "{at} is in the future (it is now {now}; case '{case}') — give the time it was done",
        "{at} 是将来的时间（现在是 {now}，案件 '{case}'） — 请填写实际办理时间",
    ),
    "case.before_last": (
        "{at} is before the case's last entry at {last} (case '{case}') — entries go in order; "
        "give a time after {last}, or put what happened earlier in --note",
        "{at} 早于案件最后一条记录的时间 {last}（案件 '{case}'） — 记录须按时间先后；请填写 {last} 之后的时间，或在备注中说明更早的情况",
    ),
    "guard.run.missing": (
        "'{name}' is not filled in — supply it with this action",
        "缺少 '{name}' — 请在办理时补充",
    ),
    "guard.run.rule": (
        "the flow's rule is wrong ({reason}) — nothing was changed; tell the flow's maintainer",
        "流程中的这条规则有误（{reason}） — 案件未改变，请告知流程维护人员",
    ),
    "guard.reason.zero_division": ("it divides by zero", "除以零"),
    "guard.reason.types": (
        "it compares or combines values of different kinds, such as text and a number",
        "比较或运算了不同类型的值，如文字与数字",
    ),
    "guard.reason.too_large": ("it builds a very large value", "生成的值过大"),
    "guard.reason.format": ("it formats text with %", "用 % 格式化文字"),
    "guard.reason.date": (
        "days_since/hours_since need a date, got {value}",
        "days_since/hours_since 需要日期，得到的是 {value}",
    ),
    "guard.reason.other": ("{detail}", "{detail}"),
    "case.automatic_loop": (
        "case '{case}' went round automatic steps {limit} times at '{step}' — the flow "
        "has a loop of decisions; fix the flow",
        "案件 '{case}' 在 '{step}' 自动流转了 {limit} 次 — 流程中的判断形成了死循环，请修改流程",
    ),
    "value.control": (
        "'{field}' contains a control character (case '{case}') — retype the value",
        "'{field}' 含有控制字符（案件 '{case}'） — 请重新输入",
    ),
    "value.too_long": (
        "'{field}' is longer than {limit} characters (case '{case}') — shorten it",
        "'{field}' 超过 {limit} 个字符（案件 '{case}'） — 请缩短",
    ),
    "value.date_range": (
        "'{field}' is {value}, outside the years 1900–2200 (case '{case}') — check the year",
        "'{field}' 为 {value}，不在 1900–2200 年之间（案件 '{case}'） — 请核对年份",
    ),
    "value.text": (
        "'{field}' needs some text (case '{case}') — write a value",
        "'{field}' 需要填写文字（案件 '{case}'） — 请填写",
    ),
    "value.integer": (
        "'{field}' must be a whole number, not '{value}' (case '{case}') — write e.g. 3",
        "'{field}' 必须是整数，不能是 '{value}'（案件 '{case}'） — 如 3",
    ),
    "value.number": (
        "'{field}' must be a number, not '{value}' (case '{case}') — write e.g. 36.8",
        "'{field}' 必须是数字，不能是 '{value}'（案件 '{case}'） — 如 36.8",
    ),
    "value.boolean": (
        "'{field}' must be yes or no, not '{value}' (case '{case}') — write yes/no or 是/否",
        "'{field}' 必须是“是”或“否”,不能是 '{value}'（案件 '{case}'） — 请写 是/否 或 yes/no",
    ),
    "value.date": (
        "'{field}' must be a date, not '{value}' (case '{case}') — write it as 2020-02-10",
        "'{field}' 必须是日期，不能是 '{value}'（案件 '{case}'） — 请写成 2020-02-10",
    ),
    "value.datetime": (
        "'{field}' must be a date and time, not '{value}' (case '{case}') — write it as 2020-02-10 08:30",
        "'{field}' 必须是日期时间，不能是 '{value}'（案件 '{case}'） — 请写成 2020-02-10 08:30",
    ),
    "value.choice": (
        "'{value}' is not a choice for '{field}' (case '{case}') — choose one of: {choices}",
        "'{value}' 不是 '{field}' 的可选值（案件 '{case}'） — 请从中选择：{choices}",
    ),
    "value.id_number": (
        "'{value}' is not a valid resident ID number for '{field}' (case '{case}') — check the "
        "18 characters and the last check character",
        "'{value}' 不是有效的身份证号（'{field}',案件 '{case}'） — 请核对 18 位号码及最后一位校验码",
    ),
    "value.below_min": (
        "'{field}' is {value}, below the lowest allowed {limit} (case '{case}') — check the reading",
        "'{field}' 为 {value},低于下限 {limit}（案件 '{case}'） — 请核对",
    ),
    "value.above_max": (
        "'{field}' is {value}, above the highest allowed {limit} (case '{case}') — check the reading",
        "'{field}' 为 {value},高于上限 {limit}（案件 '{case}'） — 请核对",
    ),
    # command-line options
    "option.bad_time": (
        "'{value}' is not a time — write it as 2020-02-03 08:00 (local time)",
        "'{value}' 不是时间 — 请写成 2020-02-03 08:00（本地时间）",
    ),
    "option.bad_set": (
        "'{value}' is not name=value — write e.g. --set temperature=36.8",
        "'{value}' 不是“名称=值” — 请写成如 --set temperature=36.8",
    ),
    "option.bad_duration": (
        "'{value}' is not a duration — write e.g. 30m, 2h or 1d",
        "'{value}' 不是时长 — 请写成 30m、2h、1d 等",
    ),
    "filter.unknown_step": (
        "no step '{step}' in {flows} — {did_you_mean}sopflow flows show FLOW lists a flow's steps",
        "{flows} 中没有步骤 '{step}' — {did_you_mean}可用 sopflow flows show 流程 查看其步骤",
    ),
    "filter.unknown_role": (
        "no role '{role}' in {flows} — {did_you_mean}sopflow flows show FLOW lists a flow's roles",
        "{flows} 中没有角色 '{role}' — {did_you_mean}可用 sopflow flows show 流程 查看其角色",
    ),
    "cli.bad_now": (
        "SOPFLOW_NOW is '{value}', which is not a time — write it as 2020-02-03 08:00, or unset it",
        "SOPFLOW_NOW 为 '{value}'，不是有效时间 — 请写成 2020-02-03 08:00，或删除该变量",
    ),
    "engine.bad_timezone": (
        "'{timezone}' is not a time zone — use a name such as Asia/Shanghai or Europe/Berlin",
        "'{timezone}' 不是时区 — 请使用 Asia/Shanghai、Europe/Berlin 这样的名称",
    ),
    "store.unavailable": (
        "the case store {url} cannot be used ({detail}) — check --db / SOPFLOW_DB and that "
        "the database is running",
        "无法使用案件库 {url}({detail}) — 请检查 --db / SOPFLOW_DB 以及数据库是否在运行",
    ),
    "store.file_unavailable": (
        "the case store {file} cannot be opened ({detail}) — check that its folder exists and may "
        "be written to, and that the file is a sopflow case store (--db / SOPFLOW_DB)",
        "无法打开案件库文件 {file}（{detail}） — 请检查其所在文件夹是否存在、是否可写，以及该文件是否为 "
        "sopflow 案件库（--db / SOPFLOW_DB）",
    ),
    "store.bad_url": (
        "'{url}' is not a database address ({detail}) — use e.g. sqlite:///sopflow.db or "
        "postgresql://user@host/db",
        "'{url}' 不是有效的数据库地址（{detail}） — 如 sqlite:///sopflow.db 或 postgresql://user@host/db",
    ),
    "store.no_schema": (
        "the case store {url} names a schema that does not exist ({detail}) — create it first "
        "(CREATE SCHEMA name;) or fix search_path in the address",
        "案件库 {url} 指定的 schema 不存在（{detail}） — 请先创建（CREATE SCHEMA 名称;），或修改地址中的 search_path",
    ),
    "store.damaged": (
        "the case store {url} is not a sopflow store or is damaged ({detail}) — check that --db / "
        "SOPFLOW_DB names the right file or database; restore a damaged one from a backup",
        "案件库 {url} 不是 sopflow 案件库或已损坏（{detail}） — 请检查 --db / SOPFLOW_DB 是否指向正确的文件或数据库；已损坏的请从备份恢复",
    ),
    "store.missing_flow_version": (
        "the store has no saved version {digest} of flow '{flow}' — the store is "
        "damaged; restore it from a backup",
        "案件库中缺少流程 '{flow}' 的版本 {digest} — 案件库已损坏，请从备份恢复",
    ),
    "file.cannot_write": (
        "cannot write to {path}: {reason} — check the folder",
        "无法写入 {path}：{reason} — 请检查文件夹",
    ),
    "file.reason.not_a_folder": (
        "a part of the path is a file, not a folder",
        "路径中有一部分是文件而不是文件夹",
    ),
    "file.reason.in_the_way": ("a file of that name is in the way", "已有同名文件占用"),
    "file.reason.is_a_folder": ("it is a folder", "这是一个文件夹"),
    "file.reason.no_permission": ("permission denied", "没有写入权限"),
    "file.reason.read_only": ("the disk is read-only", "磁盘是只读的"),
    "file.reason.missing": ("the folder does not exist and cannot be made", "文件夹不存在且无法创建"),
    "file.reason.refused": ("that place does not take new files", "该位置不能新建文件"),
    "file.reason.disk_full": ("the disk is full", "磁盘已满"),
    "file.reason.other": ("{detail}", "{detail}"),
    "render.no_dot": (
        "Graphviz's `dot` program is not installed — install Graphviz (Debian/Ubuntu: sudo apt-get install graphviz) and make sure `dot` is on PATH",
        "未安装 Graphviz 的 dot 程序 — 请安装 Graphviz（Debian/Ubuntu：sudo apt-get install graphviz），并确保 dot 在 PATH 中",
    ),
    "render.no_font": (
        "the font {font} is not installed, so Chinese would print as boxes — install it (Debian/Ubuntu: sudo apt-get install fonts-noto-cjk)",
        "未安装字体 {font}，中文会显示为方框 — 请安装（Debian/Ubuntu：sudo apt-get install fonts-noto-cjk）",
    ),
    "render.no_pdfunite": (
        "pdfunite and pdftocairo are needed to put the pages of a chart on A4/A3 in one PDF — install poppler-utils (sudo apt-get install poppler-utils)",
        "需要 pdfunite 和 pdftocairo 把图的各页按 A4/A3 合成一个 PDF — 请安装 poppler-utils（sudo apt-get install poppler-utils）",
    ),
    "render.dot_failed": (
        "Graphviz could not draw the chart ({detail}) — please report this with the flow file",
        "Graphviz 无法绘制流程图（{detail}） — 请连同流程文件一起报告此问题",
    ),
    "render.bad_format": (
        "'{format}' is not an output format — use one of: {formats}",
        "'{format}' 不是可用的输出格式 — 可用：{formats}",
    ),
    "render.unreadable": (
        "page {page} of '{flow}' would print its smallest text at {points} pt — split the flow into groups, or print on A3 (--paper a3)",
        "'{flow}' 第 {page} 页最小字号将只有 {points} 磅 — 请把流程分组，或用 A3 纸打印（--paper a3）",
    ),
    "catalog.duplicate_id": (
        "flow id '{flow}' is also the id in {others} — two files in one folder cannot share an id: "
        "give one of them another id, or move it out of the folder",
        "流程 id '{flow}' 与 {others} 重复 — 同一文件夹中的两个文件不能使用同一个 id："
        "请给其中一个改 id，或把它移出该文件夹",
    ),
    "option.bad_lang": (
        "'{value}' is not a language code — use a code such as zh, en or mn",
        "'{value}' 不是语言代码 — 请使用 zh、en、mn 这样的代码",
    ),
    "option.lang_not_in_flow": (
        "flow '{flow}' is not written in '{lang}' — use one of its languages: {languages}",
        "流程 '{flow}' 没有 '{lang}' 语言的文字 — 请使用它的语言之一：{languages}",
    ),
    "flow.unknown_id": (
        "no flow '{flow}' — {did_you_mean}known flows: {known}",
        "没有流程 '{flow}' — {did_you_mean}已有流程：{known}",
    ),
}

_TYPE_WORDS = {
    "en": {
        "string": "text",
        "object": "a mapping",
        "array": "a list",
        "number": "a number",
        "integer": "a whole number",
        "boolean": "true/false",
        "null": "nothing",
        "other": "another kind of value",
    },
    "zh": {
        "string": "文字",
        "object": "映射",
        "array": "列表",
        "number": "数字",
        "integer": "整数",
        "boolean": "true/false",
        "null": "空值",
        "other": "其他类型的值",
    },
}
_WHAT_WORDS = {  # what a case.too_long / case.control_char message is about
    "en": {"note": "the note", "place": "the place", "actor": "the name of who did it", "role": "the role"},
    "zh": {"note": "备注", "place": "地点", "actor": "办理人姓名", "role": "角色"},
}
_DID_YOU_MEAN = {"en": "did you mean '{0}'? ", "zh": "是否应为 '{0}'?"}
_OR = {"en": " or ", "zh": "或"}


class Phrase(str):
    """A part of a message made elsewhere (e.g. why a guard failed) that reads, inside the
    message it is put into, in that message's language; as a plain str it is the English text."""

    code: str
    params: Mapping[str, object]

    def __new__(cls, code: str, **params: object) -> Phrase:
        phrase = super().__new__(cls, render_message(code, params, "en"))
        phrase.code, phrase.params = code, params
        return phrase


def render_message(code: str, params: Mapping[str, object], lang: str) -> str:
    """The message for `code` in `lang` (English if unknown), filled with `params`."""
    column = 1 if lang == "zh" else 0
    template = MESSAGES.get(code, ("{code}: {params}", "{code}:{params}"))[column]
    values: dict[str, object] = {"code": code, "params": dict(params), **params}
    values.update({k: v.text(lang) for k, v in params.items() if isinstance(v, InLanguages)})
    for key, value in params.items():
        if isinstance(value, Phrase):
            values[key] = render_message(value.code, value.params, lang)
    suggestion = params.get("suggestion")
    values["did_you_mean"] = _DID_YOU_MEAN[_lang(lang)].format(suggestion) if suggestion else ""
    for key in ("expected_type", "actual_type"):
        if key in params:
            values[key] = _type_words(params[key], lang)
    if "what" in params:
        values["what"] = _WHAT_WORDS[_lang(lang)].get(str(params["what"]), params["what"])
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return f"{code}: {dict(params)}"


def _lang(lang: str) -> str:
    return "zh" if lang == "zh" else "en"


def _type_words(value: object, lang: str) -> str:
    words = _TYPE_WORDS[_lang(lang)]
    names: Sequence[object] = value if isinstance(value, tuple | list) else (value,)
    return _OR[_lang(lang)].join(words.get(str(n), str(n)) for n in names)
