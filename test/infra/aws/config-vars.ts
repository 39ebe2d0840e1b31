import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { ROOT } from './code.ts';

/**
 * How a getter of `functions/config.ts` reads its variable: `required` fails when it is unset,
 * `switch` (`process.env.X || undefined`) chooses the local behaviour when it is unset, and
 * `default` (`integer('X', n)`, `flag('X')`) falls back to a value.
 */
export type VariableKind = 'required' | 'switch' | 'default';

export interface ConfigVariable {
  getter: string;
  variable: string;
  kind: VariableKind;
}

/** The getters of `config` in `functions/config.ts`, each with the variable it reads, parsed from the file. */
export const configVariables = (): Map<string, ConfigVariable> => {
  const file = join(ROOT, 'functions', 'config.ts');
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const getters = new Map<string, ConfigVariable>();
  const readOf = (node: ts.Node): Omit<ConfigVariable, 'getter'> | undefined => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
      const [name] = node.arguments;
      const kind = { required: 'required', flag: 'default', integer: 'default', bounded: 'default' }[
        node.expression.text
      ];
      if (kind && name && ts.isStringLiteral(name))
        return { variable: name.text, kind: kind as VariableKind };
    }
    if (
      ts.isPropertyAccessExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.getText(source) === 'process.env'
    )
      return { variable: node.name.text, kind: 'switch' };
    return ts.forEachChild(node, readOf);
  };
  const visit = (node: ts.Node) => {
    if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      node.name.text === 'config' &&
      node.initializer &&
      ts.isObjectLiteralExpression(node.initializer)
    )
      for (const member of node.initializer.properties) {
        if (!ts.isGetAccessorDeclaration(member) || !ts.isIdentifier(member.name) || !member.body) continue;
        const read = readOf(member.body);
        if (!read) throw new Error(`functions/config.ts: the getter ${member.name.text} reads no variable`);
        getters.set(member.name.text, { getter: member.name.text, ...read });
      }
    ts.forEachChild(node, visit);
  };
  visit(source);
  if (getters.size === 0) throw new Error('functions/config.ts: no getters found on `config`');
  return getters;
};
