// Display width of characters as the AWS CLI's table renderer counts them.
#pragma once

namespace ecsctl {

// 2 for East Asian Wide, Fullwidth and Ambiguous code points, else 1 (what
// awscli/table.py's get_text_length adds up per character).
int table_char_width(char32_t cp);

}  // namespace ecsctl
