#!/usr/bin/python3
"""Regenerates the expected outputs of the output-format golden test.

For every tests/cases/output/<name>.json (an object {"title": ..., "data": ...})
this runs the installed AWS CLI's own formatter classes (awscli.formatter, Debian's
package under /usr/lib/python3/dist-packages) over "data" and writes what they print
to <name>.<format>.out, for json, yaml, yaml-stream, text, table and table with
--color on. Where the AWS CLI itself fails on the data (it raises on some
ragged lists) no file is written and the C++ test only checks that ecsctl does
not fail. The C++ test (tests/unit/output/test_output_golden.cpp) renders the same
data with ecsctl's renderers and compares byte for byte.

Usage: generate.py [--check] [CASE_DIR]
  --check  compare instead of writing; exit 1 and list the files that differ.
"""
import argparse
import copy
import io
import json
import os
import sys

FORMATS = ['json', 'yaml', 'yaml-stream', 'text', 'table', 'table-color']


class ValueQuery:
    """Stands for --query: the AWS CLI formats a response object, so data that
    is not an object (what a --query leaves) is wrapped and unwrapped here."""
    def search(self, response):
        return response['value']


class Args:
    """The parsed global options the formatters read."""
    def __init__(self, color='off', query=None):
        self.query = query
        self.color = color


def render(fmt, title, data):
    from awscli import formatter
    import colorama
    query = None
    if not isinstance(data, dict):
        data, query = {'value': data}, ValueQuery()
    if fmt in ('table', 'table-color'):
        # TableFormatter with colour calls colorama.init(), which wraps whatever
        # sys.stdout is at that moment; the AWS CLI then writes to that wrapper.
        saved = sys.stdout
        sys.stdout = io.StringIO()
        captured = sys.stdout
        try:
            f = formatter.TableFormatter(Args('on' if fmt == 'table-color' else 'off', query))
            f(title, copy.deepcopy(data), sys.stdout)
        finally:
            if fmt == 'table-color':
                colorama.deinit()
            sys.stdout = saved
        return captured.getvalue()
    cls = {'json': formatter.JSONFormatter, 'yaml': formatter.YAMLFormatter,
           'yaml-stream': formatter.StreamedYAMLFormatter,
           'text': formatter.TextFormatter}[fmt]
    out = io.StringIO()
    cls(Args(query=query))(title, copy.deepcopy(data), out)
    return out.getvalue()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--check', action='store_true')
    parser.add_argument('dir', nargs='?', default=os.path.dirname(os.path.abspath(__file__)))
    opts = parser.parse_args()
    differ = []
    for name in sorted(os.listdir(opts.dir)):
        if not name.endswith('.json'):
            continue
        with open(os.path.join(opts.dir, name), encoding='utf-8') as f:
            case = json.load(f)
        for fmt in FORMATS:
            path = os.path.join(opts.dir, name[:-5] + '.' + fmt + '.out')
            try:
                text = render(fmt, case['title'], case['data'])
            except Exception as e:  # the AWS CLI fails on this data: no expectation
                print('%s: %s: the AWS CLI fails (%s: %s)' % (name, fmt, type(e).__name__, e))
                if opts.check and os.path.exists(path):
                    differ.append(path)
                elif os.path.exists(path):
                    os.remove(path)
                continue
            if opts.check:
                try:
                    with open(path, encoding='utf-8', newline='') as f:
                        if f.read() != text:
                            differ.append(path)
                except FileNotFoundError:
                    differ.append(path)
            else:
                with open(path, 'w', encoding='utf-8', newline='') as f:
                    f.write(text)
    if differ:
        print('expected outputs differ from the AWS CLI formatter:\n  ' + '\n  '.join(differ))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
