# As páginas públicas para administradores de empresas: a página de cadastro, a recusa de um link de cadastro, a página
# de status e os textos de public/signup.js e public/status.js.
# Quem traduz edita o texto depois do "=". Mantenha cada { $name } como está: a página preenche.
# Mantenha "Meta", "Facebook", "WhatsApp", "Marketing Messages API" e "Meta Business Suite" como
# a Meta escreve na interface da Meta no seu idioma.

language-label = Idioma

## Página de cadastro

signup-title = Conectar o WhatsApp
signup-sandbox-banner = Modo de teste: a Meta é simulada por este portal. Nenhuma conta real do Facebook é usada.
signup-unavailable = O cadastro não está disponível no momento: { $reason }
signup-partner-fallback = Seu parceiro do WhatsApp
signup-heading = Envie mensagens de marketing no WhatsApp com a gente
signup-lead = Conecte sua conta do WhatsApp Business em poucos cliques. Você entra com o Facebook em uma janela da Meta; nós nunca vemos sua senha.
signup-email-label = Seu e-mail (opcional)
signup-email-hint = Enviamos para você o link da página de status desta configuração e avisamos quando a Meta precisar de algo seu.
signup-connect = Conectar com o Facebook
signup-loading = Carregando o login do Facebook…
signup-agree-heading = Com o que você concorda
signup-agree-share = Você compartilha sua conta do WhatsApp Business com { $partner }, que envia mensagens em seu nome.
signup-agree-terms = Na janela da Meta, você aceita os termos da Marketing Messages API para WhatsApp da Meta.
signup-agree-billing = A Meta cobra por mensagem de marketing entregue, no método de pagamento da sua conta.
signup-agree-remove = Você pode remover nosso acesso a qualquer momento no Meta Business Suite.
signup-next-heading = O que acontece depois
signup-next-window = A janela da Meta se abre: escolha ou crie sua empresa, sua conta e seu número.
signup-next-connect = Conectamos sua conta e ativamos as atualizações da Meta.
signup-next-status = Uma página de status mostra cada etapa até você poder enviar mensagens.

## Um link de cadastro que não pode ser usado

link-title = Link de cadastro
link-refused-heading = Este link não pode ser usado
link-refused-invalid = Este link de cadastro não é válido. Verifique se você copiou o link inteiro ou peça um novo ao seu parceiro.
link-refused-nothing-shared = Nada foi compartilhado com ninguém: sua conta do WhatsApp continua como estava.

## Mensagens do botão de cadastro (public/signup.js)

js-ready = Tudo pronto. Clique no botão para abrir a janela da Meta.
js-rate-limited-wait = Muitas tentativas da sua rede. Tentando de novo em { $seconds } s…
js-rate-limited = Muitas tentativas da sua rede. Tente novamente em { $seconds } s.
js-session-failed = Não foi possível iniciar uma sessão de cadastro: { $reason } Recarregue a página para tentar de novo.
js-sdk-slow = O login do Facebook está demorando para carregar. Verifique sua conexão ou seus bloqueadores de conteúdo e recarregue a página.
js-sdk-start-failed = Não foi possível iniciar o login do Facebook: { $reason }
js-sdk-missing = Não foi possível carregar o login do Facebook. Verifique sua conexão ou permita esta página no seu bloqueador de conteúdo e recarregue.
js-cancelled = Você fechou a janela da Meta na etapa { $step }. Clique no botão para tentar de novo.
js-meta-error = A Meta informou um problema: { $reason } Clique no botão para tentar de novo.
js-meta-done = A parte da Meta foi concluída. Conectando sua conta…
js-popup-closed = A janela da Meta foi fechada antes do fim ou o seu navegador a bloqueou. Permita pop-ups nesta página e clique no botão de novo.
js-connecting = Conectando sua conta à Meta…
js-connected = Conectado. Abrindo sua página de status…
js-window-open = A janela da Meta está aberta. Conclua as etapas lá.
js-unreachable = Não foi possível acessar o servidor (HTTP { $status }).
js-email-invalid = Este endereço de e-mail não parece correto. Corrija ou deixe o campo vazio.

## Página de status

status-title = Sua configuração do WhatsApp
status-loading = Carregando seu status…
status-not-found-heading = Página de status não encontrada
status-not-found-body = Verifique o link que você recebeu ou comece de novo pela página de cadastro.
status-error-heading = Não foi possível carregar seu status
status-eyebrow = Sua configuração do WhatsApp
status-phone = Telefone: { $phones }
status-updates-itself = Esta página se atualiza sozinha. Você pode fechá-la e voltar mais tarde.
status-connection-lost = Conexão perdida. Esta página volta a se atualizar assim que a conexão voltar.

badge-done = Concluído
badge-working = Em andamento
badge-waiting = Aguardando a Meta
badge-action-needed = Ação necessária
badge-failed = Interrompido
badge-pending = Não iniciado

headline-ready = Você já pode enviar mensagens de marketing
headline-problem = Encontramos um problema — veja os detalhes abaixo
headline-action = Precisamos de uma ação sua
headline-working = Configurando sua conta…

## Linhas da lista de verificação do status

check-connected = Conectado à Meta
check-webhooks = Atualizações da Meta ativadas
check-number = Número de telefone pronto
check-terms = Termos de mensagens de marketing assinados
check-ready = Pronto para enviar mensagens de marketing

step-in-progress = Em andamento…
step-retrying = A Meta está ocupada; tentamos de novo automaticamente.
step-waiting = Aguardando a Meta.
step-failed = Interrompido: { $reason }. Nossa equipe já está vendo isso e vai retomar.

connected-done = Sua conta do WhatsApp Business { $account } está conectada.
connected-working = Conectando à Meta…
connected-failed = A conexão falhou. Conecte de novo.
connected-cancelled = A janela de cadastro foi fechada. Abra a página de cadastro e conecte de novo.
connected-cancelled-at = A janela de cadastro foi fechada na etapa { $step }. Abra a página de cadastro e conecte de novo.
connected-pending = Ainda não conectado.

connection-offboarded = Seu número do WhatsApp foi desconectado de nós depois de uma troca de celular ou de um novo registro do número. Abra o app WhatsApp Business no seu celular e conecte de novo; a configuração continua sozinha assim que ele voltar.
connection-removed = Sua conta do WhatsApp Business não está mais compartilhada com a gente, então não podemos enviar mensagens de marketing por você. Para começar de novo, conecte sua conta outra vez pela página de cadastro.
connection-uninstalled = O acesso do nosso app à sua conta do WhatsApp Business foi removido, então não podemos enviar mensagens por você. Para começar de novo, conecte sua conta outra vez pela página de cadastro.
connection-deleted = Esta conta do WhatsApp Business foi excluída. Para usar mensagens de marketing, conecte outra conta pela página de cadastro.

webhooks-pending = Vamos ativar as atualizações da Meta para sua conta.
webhooks-done = A Meta envia para nós as atualizações da sua conta.

number-pending = Vamos registrar seu número de telefone na API de Nuvem.
number-done = Seu número de telefone está registrado na API de Nuvem.
number-limit = A Meta permite 10 registros de um número a cada 72 horas, e este número atingiu o limite. Vamos tentar de novo quando o limite for reiniciado.
number-none = Nenhum número de telefone foi compartilhado. Adicione um à sua conta do WhatsApp Business no Gerenciador do WhatsApp.
number-coexistence = Seu número continua no app WhatsApp Business (coexistência): não é preciso registrá-lo.

terms-done = A Meta confirmou: você aceitou os termos da Marketing Messages API.
terms-waiting = Aguardando a Meta confirmar os termos de mensagens de marketing.
terms-pending = Depois que você se conectar.

guidance-on-behalf-of = Esta conta é gerenciada em seu nome por um parceiro (on-behalf-of). Peça para transferirmos a propriedade dela para sua empresa; assim ela passa a ser qualificada.
guidance-restricted = A Meta restringiu ou desativou esta conta. Verifique o Business Support Home no Meta Business Suite e resolva a restrição.
guidance-country = A Marketing Messages API ainda não está disponível para empresas do seu país.
guidance-business-app = O número desta conta é usado só no app WhatsApp Business. Conecte-o à API de Nuvem (ou use a coexistência) para que a conta seja qualificada.
guidance-payment-method = Adicione um método de pagamento válido à sua conta do WhatsApp Business no Meta Business Suite (Cobrança e pagamentos).
guidance-internal-setup = A Meta está finalizando a configuração da sua conta. Isso costuma levar alguns minutos; você não precisa fazer nada.
guidance-eligible = Sua conta está qualificada. Aguardando a Meta confirmar os termos de mensagens de marketing.

ready-done = Você já pode enviar mensagens de marketing com a gente.
ready-restricted = A Meta informou uma restrição nesta conta. Verifique o Business Support Home.
ready-pending = Assim que as etapas acima forem concluídas.

## A página que um link de cancelamento de inscrição abre

unsubscribe-title = Preferências de e-mail
unsubscribe-confirm = Parar de receber estes e-mails
unsubscribe-heading = Você não vai mais receber e-mails sobre esta configuração
unsubscribe-body = Paramos de enviar e-mails para { $email } sobre esta configuração do WhatsApp. Sua página de status continua mostrando cada etapa.
unsubscribe-invalid = Este link de cancelamento de inscrição não é válido. Verifique se você abriu o link completo.

## Por que um cadastro não pôde continuar (mostrado abaixo do botão ou na página de um link de cadastro)

error-unknown-session = Esta sessão de cadastro não é reconhecida. Recarregue a página e comece de novo.
error-already-used = Este cadastro já foi concluído. Recarregue a página para começar um novo.
error-malformed-event = Não foi possível ler o evento da janela de cadastro.
error-expired = Esta sessão de cadastro expirou (as sessões duram 24 horas). Recarregue a página para começar de novo.
error-too-many-events = Esta sessão de cadastro já registrou todos os eventos permitidos. Recarregue a página para começar de novo.
error-rate-limited = Muitas tentativas da sua rede. Tente novamente em { $seconds } s.
error-code-expired = A autorização da Meta expirou antes que pudéssemos usá-la (ela vale por cerca de 30 segundos). Conecte de novo.
error-code-rejected = A Meta não aceitou a autorização ({ $reason }). Conecte de novo.
error-missing-permissions = Você não concedeu as permissões de que precisamos: { $reason }. Conecte de novo e mantenha essas permissões selecionadas.
error-no-waba = Nenhuma conta do WhatsApp Business foi compartilhada com a gente. Conecte de novo e selecione ou crie uma.
error-meta-unavailable = Não é possível acessar a Meta no momento. Tente novamente em um minuto.
error-bad-email = Este endereço de e-mail não parece correto. Corrija ou deixe o campo vazio.
error-internal = Algo deu errado do nosso lado; nada foi perdido. Tente novamente.
link-refused-expired = Este link de cadastro expirou. Peça um novo ao seu parceiro.
link-refused-revoked = Este link de cadastro foi cancelado pelo seu parceiro. Peça um novo a ele.
link-refused-used = Este link de cadastro já foi usado para conectar uma conta. Se precisar conectar outra, peça um novo ao seu parceiro.
footer-public = Sua conta do WhatsApp Business continua sendo sua: você pode remover nosso acesso a qualquer momento no Meta Business Suite.
