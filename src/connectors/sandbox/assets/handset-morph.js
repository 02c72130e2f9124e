// The handset page's once-a-second refresh, as an htmx swap style ("morph"). Swapping the
// fetched region in whole would replace every node: a focused Confirm button would be
// thrown away (focus falls back to <body>), and a live region would re-announce text that
// did not change. This walks the new region beside the current one and changes only what
// differs: elements are kept when they match (same tag and id, or same tag at the same
// place for elements without an id), attributes and text are updated in place, and only
// new nodes are inserted. Nodes are never moved, since moving a node drops its focus.
(function () {
  'use strict';

  function matches(current, next) {
    if (current.nodeType !== next.nodeType || current.nodeName !== next.nodeName) return false;
    return current.nodeType !== Node.ELEMENT_NODE || current.id === next.id;
  }

  // An element with an id may be further along (the ones before it were removed); one
  // without an id only matches the node at the cursor.
  function findMatch(cursor, next) {
    if (next.nodeType !== Node.ELEMENT_NODE || !next.id) return cursor && matches(cursor, next) ? cursor : null;
    for (let node = cursor; node; node = node.nextSibling) if (matches(node, next)) return node;
    return null;
  }

  function syncAttributes(current, next) {
    for (const { name } of Array.from(current.attributes)) if (!next.hasAttribute(name)) current.removeAttribute(name);
    for (const { name, value } of Array.from(next.attributes)) if (current.getAttribute(name) !== value) current.setAttribute(name, value);
  }

  function removeUntil(node, end) {
    while (node && node !== end) {
      const stale = node;
      node = node.nextSibling;
      stale.remove();
    }
  }

  function morphChildren(current, next, inserted) {
    let cursor = current.firstChild;
    for (const child of Array.from(next.childNodes)) {
      const match = findMatch(cursor, child);
      if (match) {
        removeUntil(cursor, match);
        cursor = match.nextSibling;
        morph(match, child, inserted);
      } else {
        current.insertBefore(child, cursor);
        inserted.push(child);
      }
    }
    removeUntil(cursor, null);
  }

  function morph(current, next, inserted) {
    if (current.nodeType !== Node.ELEMENT_NODE) {
      if (current.nodeValue !== next.nodeValue) current.nodeValue = next.nodeValue;
      return;
    }
    syncAttributes(current, next);
    morphChildren(current, next, inserted);
  }

  htmx.defineExtension('handset-morph', {
    handleSwap: function (swapStyle, target, fragment) {
      const next = swapStyle === 'morph' ? fragment.firstElementChild : null;
      if (!next) return false;
      const inserted = [];
      morph(target, next, inserted);
      // htmx processes what it is handed (boosted forms in a new prompt).
      return inserted;
    },
  });
})();
