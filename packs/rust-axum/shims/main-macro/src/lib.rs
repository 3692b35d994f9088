//! `#[tokio::main]` as the rust-axum glue needs it: the body of `async fn main` becomes
//! `pub fn __fabricks_main()`, a future the glue runs once per instance, on its first request,
//! to collect the Router given to `axum::serve`. Written on `proc_macro` alone (no syn): the
//! item's last token is the body, and the tokens between `->` and it are the return type.

use proc_macro::{Delimiter, Group, Punct, Spacing, TokenStream, TokenTree};

#[proc_macro_attribute]
pub fn main(_args: TokenStream, item: TokenStream) -> TokenStream {
    let tokens: Vec<TokenTree> = item.into_iter().collect();
    let body = match tokens.last() {
        Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace => g.clone(),
        _ => return error("#[tokio::main] goes on a function with a body"),
    };
    let mut output = TokenStream::from(TokenTree::Group(Group::new(Delimiter::Parenthesis, TokenStream::new())));
    for (i, token) in tokens.iter().enumerate() {
        if let (TokenTree::Punct(a), Some(TokenTree::Punct(b))) = (token, tokens.get(i + 1)) {
            if a.as_char() == '-' && b.as_char() == '>' {
                output = tokens[i + 2..tokens.len() - 1].iter().cloned().collect();
                break;
            }
        }
    }
    // let _result: RET = async move BODY.await;
    let mut run: TokenStream = "let _result:".parse().unwrap();
    run.extend(output);
    run.extend("= async move".parse::<TokenStream>().unwrap());
    run.extend([TokenTree::Group(body)]);
    run.extend(".await;".parse::<TokenStream>().unwrap());
    // ::std::boxed::Box::pin(async move { RUN })
    let mut pinned: TokenStream = "async move".parse().unwrap();
    pinned.extend([TokenTree::Group(Group::new(Delimiter::Brace, run))]);
    let mut call: TokenStream = "::std::boxed::Box::pin".parse().unwrap();
    call.extend([TokenTree::Group(Group::new(Delimiter::Parenthesis, pinned))]);
    let mut code: TokenStream = "#[allow(dead_code)] fn main() {} #[doc(hidden)] pub fn __fabricks_main() \
        -> ::std::pin::Pin<::std::boxed::Box<dyn ::std::future::Future<Output = ()>>>"
        .parse()
        .unwrap();
    code.extend([TokenTree::Group(Group::new(Delimiter::Brace, call))]);
    code
}

fn error(message: &str) -> TokenStream {
    let mut out: TokenStream = "::std::compile_error!".parse().unwrap();
    let literal: TokenStream = format!("{message:?}").parse().unwrap();
    out.extend([TokenTree::Group(Group::new(Delimiter::Parenthesis, literal)), TokenTree::Punct(Punct::new(';', Spacing::Alone))]);
    out
}
