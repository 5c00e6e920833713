package dev.aauth.keycloak.signature;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The subset of RFC 8941 (Structured Field Values) that the four signature headers use:
 * dictionaries whose members are items or inner lists, with parameters, and the bare item
 * types integer, decimal, string, token, byte sequence and boolean.
 *
 * <p>Keycloak ships no structured-field parser, so this small one exists. It parses strictly
 * (RFC 8941 §4.2): any syntax error is a {@link ParseException}, never a partial result, because
 * a lenient parser would let two verifiers disagree about which key or components were signed.
 */
public final class StructuredFields {

    private StructuredFields() {
    }

    /** A parsing failure; the message names the offending position. */
    public static final class ParseException extends Exception {
        private static final long serialVersionUID = 1L;

        ParseException(String message) {
            super(message);
        }
    }

    /** A token (RFC 8941 §3.3.4), kept apart from strings because the two serialize differently. */
    public record Token(String value) {
        @Override
        public String toString() {
            return value;
        }
    }

    /** A byte sequence (RFC 8941 §3.3.5). */
    public record ByteSequence(byte[] bytes) {
    }

    /** An item: a bare item plus parameters (insertion-ordered). */
    public record Item(Object value, Map<String, Object> params) implements Member {
    }

    /** An inner list: items plus parameters (insertion-ordered). */
    public record InnerList(List<Item> items, Map<String, Object> params) implements Member {
    }

    /** A dictionary member value. */
    public sealed interface Member permits Item, InnerList {
        Map<String, Object> params();
    }

    /**
     * A dictionary whose keys are all distinct. RFC 8941 §4.2.2 lets the last duplicate win, so
     * {@code Signature: sig=:bad:, sig=:good:} would be decided by its last member; a signature header
     * that names a label twice is ambiguous and refused instead (as the TypeScript verifier does).
     */
    public static Map<String, Member> parseUniqueDictionary(String input) throws ParseException {
        return parseDictionary(input, true);
    }

    /** RFC 8941 §4.2.2: parse a dictionary. Duplicate keys: the last one wins, as the RFC says. */
    public static Map<String, Member> parseDictionary(String input) throws ParseException {
        return parseDictionary(input, false);
    }

    private static Map<String, Member> parseDictionary(String input, boolean unique) throws ParseException {
        Parser p = new Parser(input);
        Map<String, Member> out = new LinkedHashMap<>();
        p.skipSp();
        if (p.eof()) {
            return out;
        }
        while (true) {
            String key = p.parseKey();
            Member member;
            if (p.peek() == '=') {
                p.pos++;
                member = p.parseItemOrInnerList();
            } else {
                member = new Item(Boolean.TRUE, p.parseParameters());
            }
            if (unique && out.containsKey(key)) {
                throw new ParseException("the key " + key + " appears more than once");
            }
            out.remove(key);
            out.put(key, member);
            p.skipOws();
            if (p.eof()) {
                return out;
            }
            p.expect(',');
            p.skipOws();
            if (p.eof()) {
                throw new ParseException("trailing comma in dictionary");
            }
        }
    }

    /** RFC 8941 §4.1.1.1: serialize an inner list (used for {@code @signature-params}). */
    public static String serializeInnerList(InnerList list) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < list.items().size(); i++) {
            if (i > 0) {
                sb.append(' ');
            }
            Item item = list.items().get(i);
            sb.append(serializeBareItem(item.value()));
            appendParams(sb, item.params());
        }
        sb.append(')');
        appendParams(sb, list.params());
        return sb.toString();
    }

    private static void appendParams(StringBuilder sb, Map<String, Object> params) {
        for (Map.Entry<String, Object> e : params.entrySet()) {
            sb.append(';').append(e.getKey());
            if (!Boolean.TRUE.equals(e.getValue())) {
                sb.append('=').append(serializeBareItem(e.getValue()));
            }
        }
    }

    static String serializeBareItem(Object v) {
        if (v instanceof Long || v instanceof Integer) {
            return v.toString();
        }
        if (v instanceof String s) {
            StringBuilder sb = new StringBuilder("\"");
            for (char c : s.toCharArray()) {
                if (c == '"' || c == '\\') {
                    sb.append('\\');
                }
                sb.append(c);
            }
            return sb.append('"').toString();
        }
        if (v instanceof Token t) {
            return t.value();
        }
        if (v instanceof ByteSequence b) {
            return ":" + Base64.getEncoder().encodeToString(b.bytes()) + ":";
        }
        if (v instanceof Boolean b) {
            return b ? "?1" : "?0";
        }
        if (v instanceof java.math.BigDecimal d) {
            return d.toPlainString();
        }
        throw new IllegalArgumentException("not a bare item: " + v);
    }

    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) throws ParseException {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c < 0x20 && c != '\t' || c > 0x7e) {
                    throw new ParseException("non-ASCII or control character at " + i);
                }
            }
            this.s = s;
        }

        boolean eof() {
            return pos >= s.length();
        }

        char peek() {
            return eof() ? '\0' : s.charAt(pos);
        }

        void expect(char c) throws ParseException {
            if (peek() != c) {
                throw new ParseException("expected '" + c + "' at " + pos);
            }
            pos++;
        }

        void skipSp() {
            while (peek() == ' ') {
                pos++;
            }
        }

        void skipOws() {
            while (peek() == ' ' || peek() == '\t') {
                pos++;
            }
        }

        String parseKey() throws ParseException {
            char c = peek();
            if (!(c >= 'a' && c <= 'z') && c != '*') {
                throw new ParseException("key must start with a lowercase letter or '*' at " + pos);
            }
            int start = pos;
            while (!eof()) {
                c = peek();
                if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' || c == '*') {
                    pos++;
                } else {
                    break;
                }
            }
            return s.substring(start, pos);
        }

        Member parseItemOrInnerList() throws ParseException {
            if (peek() == '(') {
                return parseInnerList();
            }
            Object bare = parseBareItem();
            return new Item(bare, parseParameters());
        }

        InnerList parseInnerList() throws ParseException {
            expect('(');
            List<Item> items = new ArrayList<>();
            while (!eof()) {
                skipSp();
                if (peek() == ')') {
                    pos++;
                    return new InnerList(Collections.unmodifiableList(items), parseParameters());
                }
                Object bare = parseBareItem();
                items.add(new Item(bare, parseParameters()));
                char c = peek();
                if (c != ' ' && c != ')') {
                    throw new ParseException("expected space or ')' in inner list at " + pos);
                }
            }
            throw new ParseException("unterminated inner list");
        }

        Map<String, Object> parseParameters() throws ParseException {
            Map<String, Object> params = new LinkedHashMap<>();
            while (peek() == ';') {
                pos++;
                skipSp();
                String key = parseKey();
                Object value = Boolean.TRUE;
                if (peek() == '=') {
                    pos++;
                    value = parseBareItem();
                }
                params.remove(key);
                params.put(key, value);
            }
            return Collections.unmodifiableMap(params);
        }

        Object parseBareItem() throws ParseException {
            char c = peek();
            if (c == '-' || (c >= '0' && c <= '9')) {
                return parseNumber();
            }
            if (c == '"') {
                return parseString();
            }
            if (c == '*' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
                return parseToken();
            }
            if (c == ':') {
                return parseByteSequence();
            }
            if (c == '?') {
                pos++;
                char b = peek();
                if (b == '1' || b == '0') {
                    pos++;
                    return b == '1';
                }
                throw new ParseException("bad boolean at " + pos);
            }
            throw new ParseException("unexpected character at " + pos);
        }

        Object parseNumber() throws ParseException {
            int start = pos;
            if (peek() == '-') {
                pos++;
            }
            int digitsStart = pos;
            boolean decimal = false;
            while (!eof()) {
                char c = peek();
                if (c >= '0' && c <= '9') {
                    pos++;
                } else if (c == '.' && !decimal) {
                    decimal = true;
                    pos++;
                } else {
                    break;
                }
            }
            String num = s.substring(start, pos);
            int digits = pos - digitsStart;
            if (digits == 0 || (!decimal && digits > 15) || (decimal && (digits > 16 || num.endsWith(".")))) {
                throw new ParseException("bad number at " + start);
            }
            if (decimal) {
                int frac = num.length() - num.indexOf('.') - 1;
                if (frac > 3 || num.indexOf('.') - (num.startsWith("-") ? 1 : 0) > 12) {
                    throw new ParseException("bad decimal at " + start);
                }
                return new java.math.BigDecimal(num);
            }
            return Long.parseLong(num);
        }

        String parseString() throws ParseException {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (!eof()) {
                char c = s.charAt(pos++);
                if (c == '\\') {
                    if (eof()) {
                        break;
                    }
                    char n = s.charAt(pos++);
                    if (n != '"' && n != '\\') {
                        throw new ParseException("bad escape at " + (pos - 1));
                    }
                    sb.append(n);
                } else if (c == '"') {
                    return sb.toString();
                } else if (c < 0x20 || c > 0x7e) {
                    throw new ParseException("bad string character at " + (pos - 1));
                } else {
                    sb.append(c);
                }
            }
            throw new ParseException("unterminated string");
        }

        Token parseToken() {
            int start = pos;
            pos++;
            while (!eof()) {
                char c = peek();
                if (isTchar(c) || c == ':' || c == '/') {
                    pos++;
                } else {
                    break;
                }
            }
            return new Token(s.substring(start, pos));
        }

        ByteSequence parseByteSequence() throws ParseException {
            expect(':');
            int end = s.indexOf(':', pos);
            if (end < 0) {
                throw new ParseException("unterminated byte sequence");
            }
            String b64 = s.substring(pos, end);
            for (char c : b64.toCharArray()) {
                if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=')) {
                    throw new ParseException("bad base64 in byte sequence at " + pos);
                }
            }
            pos = end + 1;
            try {
                return new ByteSequence(Base64.getDecoder().decode(b64.getBytes(StandardCharsets.US_ASCII)));
            } catch (IllegalArgumentException e) {
                throw new ParseException("bad base64 in byte sequence");
            }
        }

        private static boolean isTchar(char c) {
            return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
        }
    }
}
