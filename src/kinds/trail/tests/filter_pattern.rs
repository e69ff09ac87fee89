//! CloudWatch Logs' JSON filter patterns, as far as the CIS checks use them, evaluated on
//! CloudTrail events, to test each check's pattern against events it must and must not
//! count. The grammar (CloudWatch Logs user guide, "Filter pattern syntax for metric
//! filters", JSON log events): `{ expr }`; `&&` binds tighter than `||`; parentheses;
//! `$.a.b = value`, `$.a.b != value`, `$.a.b NOT EXISTS`; a value is a quoted string or a
//! bare word, and `*` in it matches any characters. A selector on a field the event does
//! not have matches neither `=` nor `!=`.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    And,
    Or,
    Eq,
    Ne,
    NotExists,
    Selector(Vec<String>),
    Word(String),
}

fn tokens(pattern: &str) -> Vec<Token> {
    let body = pattern.trim();
    let body = body
        .strip_prefix('{')
        .and_then(|b| b.strip_suffix('}'))
        .expect("a JSON pattern is in braces");
    let chars: Vec<char> = body.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let rest: String = chars[i..].iter().collect();
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' || c == ')' {
            out.push(if c == '(' { Token::Open } else { Token::Close });
            i += 1;
        } else if rest.starts_with("&&") || rest.starts_with("||") {
            out.push(if c == '&' { Token::And } else { Token::Or });
            i += 2;
        } else if rest.starts_with("!=") {
            out.push(Token::Ne);
            i += 2;
        } else if c == '=' {
            out.push(Token::Eq);
            i += 1;
        } else if rest.starts_with("NOT EXISTS") {
            out.push(Token::NotExists);
            i += "NOT EXISTS".len();
        } else if c == '"' {
            let end = chars[i + 1..].iter().position(|&c| c == '"').expect("a closed string") + i + 1;
            out.push(Token::Word(chars[i + 1..end].iter().collect()));
            i = end + 1;
        } else {
            let end = chars[i..]
                .iter()
                .position(|c| c.is_whitespace() || "()=!&|".contains(*c))
                .map_or(chars.len(), |n| n + i);
            let word: String = chars[i..end].iter().collect();
            match word.strip_prefix("$.") {
                Some(path) => out.push(Token::Selector(path.split('.').map(str::to_owned).collect())),
                None => out.push(Token::Word(word)),
            }
            i = end;
        }
    }
    out
}

/// Whether `pattern` counts `event`.
pub fn matches(pattern: &str, event: &Value) -> bool {
    let tokens = tokens(pattern);
    let mut at = 0;
    let result = or(&tokens, &mut at, event);
    assert_eq!(at, tokens.len(), "the whole pattern is read: {pattern}");
    result
}

fn or(t: &[Token], at: &mut usize, e: &Value) -> bool {
    let mut value = and(t, at, e);
    while t.get(*at) == Some(&Token::Or) {
        *at += 1;
        value |= and(t, at, e);
    }
    value
}

fn and(t: &[Token], at: &mut usize, e: &Value) -> bool {
    let mut value = term(t, at, e);
    while t.get(*at) == Some(&Token::And) {
        *at += 1;
        value &= term(t, at, e);
    }
    value
}

fn term(t: &[Token], at: &mut usize, e: &Value) -> bool {
    match &t[*at] {
        Token::Open => {
            *at += 1;
            let value = or(t, at, e);
            assert_eq!(t[*at], Token::Close, "a closed parenthesis");
            *at += 1;
            value
        }
        Token::Selector(path) => {
            *at += 1;
            let field = path.iter().try_fold(e, |v, key| v.get(key));
            let op = t[*at].clone();
            *at += 1;
            if op == Token::NotExists {
                return field.is_none();
            }
            let Token::Word(want) = &t[*at] else {
                panic!("a value after {op:?}")
            };
            *at += 1;
            let Some(field) = field else { return false };
            let text = match field {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let equal = wildcard(want, &text);
            match op {
                Token::Eq => equal,
                Token::Ne => !equal,
                other => panic!("an operator, not {other:?}"),
            }
        }
        other => panic!("a term, not {other:?}"),
    }
}

/// `*` in `want` matches any characters.
fn wildcard(want: &str, text: &str) -> bool {
    let parts: Vec<&str> = want.split('*').collect();
    if parts.len() == 1 {
        return want == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || !text[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(i) => rest = &rest[i + middle.len()..],
            None => return false,
        }
    }
    true
}

#[test]
fn the_grammar_reads_as_cloudwatch_does() {
    let e = serde_json::json!({"eventName": "ConsoleLogin", "userIdentity": {"type": "Root"}, "errorCode": "Client.UnauthorizedOperation"});
    assert!(matches(r#"{ $.eventName = "ConsoleLogin" }"#, &e));
    assert!(matches("{ $.eventName = ConsoleLogin }", &e));
    assert!(!matches("{ $.eventName != ConsoleLogin }", &e));
    assert!(matches(r#"{ $.errorCode = "*UnauthorizedOperation" }"#, &e));
    assert!(!matches(r#"{ $.errorCode = "AccessDenied*" }"#, &e));
    assert!(matches("{ $.userIdentity.invokedBy NOT EXISTS }", &e));
    assert!(!matches("{ $.userIdentity.type NOT EXISTS }", &e));
    // A missing field matches neither `=` nor `!=`.
    assert!(!matches("{ $.missing = x }", &e));
    assert!(!matches("{ $.missing != x }", &e));
    // `&&` before `||`, and parentheses.
    assert!(matches("{ $.eventName = x && $.eventName = y || $.eventName = ConsoleLogin }", &e));
    assert!(!matches("{ $.eventName = x && ($.eventName = y || $.eventName = ConsoleLogin) }", &e));
}
