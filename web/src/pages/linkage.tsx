/**
 * The honest broker's page: record linkage has no portal pages (docs/linkage.md). Tokens are
 * made at the site and by the broker with `hilum link-tokens`; the broker matches with
 * `POST /linkage/match` from those tools, where the linkage key lives and a browser never sees it.
 */
export default function Linkage() {
  return (
    <section>
      <h1>Record linkage</h1>
      <p>
        As the honest broker you match another registry's people against the commons' linkage tokens with the API, from the command line,
        where the linkage key is kept: the portal never holds the key or a token.
      </p>
      <ol>
        <li>
          Turn the other registry's roster into a match request with the shared linkage key:{' '}
          <code>npx hilum link-tokens roster.csv --linkage-key-file linkage.key --query --out match.json</code>
        </li>
        <li>
          Send it: <code>POST /linkage/match</code> with <code>match.json</code> as the body and your token as the bearer. The answer gives,
          per person of the request, the matching case pseudonyms, the variants that agreed and a score.
        </li>
      </ol>
      <p>Every match is in the audit log with its counts only.</p>
    </section>
  );
}
